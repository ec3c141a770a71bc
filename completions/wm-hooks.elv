
use builtin;
use str;

set edit:completion:arg-completer[wm-hooks] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'wm-hooks'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'wm-hooks'= {
            cand --color 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)'
            cand -q 'Print less on stderr (errors still show)'
            cand --quiet 'Print less on stderr (errors still show)'
            cand -v 'Print more on stderr'
            cand --verbose 'Print more on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand sign 'Print the X-Signature-256 value (sha256=<hex>) for a payload'
            cand verify-signature 'Check a signature against a payload: exit 0 valid, 1 invalid, 2 bad input'
            cand listen 'Run a local webhook receiver that verifies and shows every delivery'
            cand events 'List the event types, or print one''s sample payload'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wm-hooks;sign'= {
            cand --secret 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file'
            cand --secret-file 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed'
            cand --payload-file 'The payload to sign, read as raw bytes (stdin when absent or -)'
            cand --color 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)'
            cand -q 'Print less on stderr (errors still show)'
            cand --quiet 'Print less on stderr (errors still show)'
            cand -v 'Print more on stderr'
            cand --verbose 'Print more on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wm-hooks;verify-signature'= {
            cand --signature 'The header value to check: sha256= and 64 hex digits (either case)'
            cand --secret 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file'
            cand --secret-file 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed'
            cand --payload-file 'The payload, read as raw bytes (stdin when absent or -)'
            cand --color 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)'
            cand -q 'Print less on stderr (errors still show)'
            cand --quiet 'Print less on stderr (errors still show)'
            cand -v 'Print more on stderr'
            cand --verbose 'Print more on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wm-hooks;listen'= {
            cand --host 'The address to listen on; anything but loopback is reachable from other machines'
            cand --port 'The port to listen on; 0 picks a free one'
            cand --path 'The path that takes webhooks; other paths get 404'
            cand --secret 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file'
            cand --secret-file 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed'
            cand --signature-header 'The header that carries the signature (any case)'
            cand --max-body 'The largest body accepted, in bytes or with a unit (64KiB, 1MiB, 10MB); larger gets 413'
            cand --record 'Append one JSON record line per request to FILE (never truncated)'
            cand --respond-status 'Answer POSTs with a valid signature with this status (to test a sender''s retries)'
            cand --respond-delay 'Wait this long before answering POSTs with a valid signature (150ms, 2s, 1m)'
            cand --forward-to 'Forward each POST with a valid signature to your app, re-signed, and answer with its status'
            cand --forward-secret 'Sign forwarded requests with this secret instead of the listener''s [env: WM_HOOKS_FORWARD_SECRET]; prefer the variable or --forward-secret-file'
            cand --forward-secret-file 'Read the forwarding secret from a file (one trailing newline is removed)'
            cand --forward-timeout 'How long to wait for the app''s answer before answering 504'
            cand --read-timeout 'How long a client may take to send a request''s headers, and then its body; an idle keep-alive connection is closed after it too'
            cand --max-connections 'Open connections served at once; more are closed as they arrive'
            cand --color 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)'
            cand --json 'Print one JSON record line per request on stdout instead of the pretty output'
            cand -q 'Print less on stderr (errors still show)'
            cand --quiet 'Print less on stderr (errors still show)'
            cand -v 'Print more on stderr'
            cand --verbose 'Print more on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wm-hooks;events'= {
            cand --color 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)'
            cand -q 'Print less on stderr (errors still show)'
            cand --quiet 'Print less on stderr (errors still show)'
            cand -v 'Print more on stderr'
            cand --verbose 'Print more on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wm-hooks;completions'= {
            cand --color 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)'
            cand -q 'Print less on stderr (errors still show)'
            cand --quiet 'Print less on stderr (errors still show)'
            cand -v 'Print more on stderr'
            cand --verbose 'Print more on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wm-hooks;help'= {
            cand sign 'Print the X-Signature-256 value (sha256=<hex>) for a payload'
            cand verify-signature 'Check a signature against a payload: exit 0 valid, 1 invalid, 2 bad input'
            cand listen 'Run a local webhook receiver that verifies and shows every delivery'
            cand events 'List the event types, or print one''s sample payload'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wm-hooks;help;sign'= {
        }
        &'wm-hooks;help;verify-signature'= {
        }
        &'wm-hooks;help;listen'= {
        }
        &'wm-hooks;help;events'= {
        }
        &'wm-hooks;help;completions'= {
        }
        &'wm-hooks;help;help'= {
        }
    ]
    $completions[$command]
}
