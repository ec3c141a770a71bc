
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
            cand listen 'Run a local webhook receiver that verifies and shows every delivery'
            cand ingest 'The production receiver: verify, dedupe, store durably, and only then answer 2xx'
            cand send-test 'Play the platform: sign sample events and POST them to your endpoint'
            cand verify 'Run the platform''s handshake GET against your endpoint and check the answer'
            cand check 'Play the platform''s whole contract against your endpoint (handshake, signatures, duplicates, tolerance, the 5 s budget) and print a report card'
            cand configure 'Register the webhook with the StartMessaging API (PUT /v1/webhooks); asks for missing values on a terminal, never in CI'
            cand sign 'Print the X-Signature-256 value (sha256=<hex>) for a payload'
            cand verify-signature 'Check a signature against a payload: exit 0 valid, 1 invalid, 2 bad input'
            cand deliver 'Move stored events to your app, at least once: re-signed, retried on the platform''s schedule, then dead letters'
            cand store 'Inspect a store: counts, dead letters, putting them back for delivery, pruning'
            cand events 'List the event types, or print one''s sample payload'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wm-hooks;listen'= {
            cand --color 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)'
            cand --host 'The address to listen on; anything but loopback is reachable from other machines'
            cand --port 'The port to listen on; 0 picks a free one'
            cand --path 'The path that takes webhooks; other paths get 404'
            cand --secret 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file'
            cand --secret-file 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed'
            cand --verify-token 'The handshake''s hub.verify_token, when it is not the webhook secret (Meta and its libraries keep the two apart) [env: WM_HOOKS_VERIFY_TOKEN] [default: the webhook secret]; prefer the variable or --verify-token-file'
            cand --verify-token-file 'Read the verify token from a file (one trailing newline is removed)'
            cand --profile 'The platform: startmessaging (the API document''s envelope, X-Signature-256) or meta (the WhatsApp Cloud API''s: entry[].changes[].value, X-Hub-Signature-256, non-ASCII sent as \uXXXX) [env: WM_HOOKS_PROFILE] [default: startmessaging]'
            cand --signature-header 'The header that carries the signature, in any case [default: the profile''s: X-Signature-256, or X-Hub-Signature-256 under meta]. Both envelopes are recognised whatever the profile'
            cand --max-body 'The largest body accepted, in bytes or with a unit (64KiB, 1MiB, 10MB); larger gets 413'
            cand --read-timeout 'How long a client may take to send a request''s headers, and then its body; an idle keep-alive connection is closed after it too'
            cand --max-connections 'Open connections served at once; at the limit, a new connection makes the longest-idle one close (never one with a request in service), and is itself closed on arrival only when every connection has a request in service'
            cand --record 'Append one JSON record line per request to FILE (never truncated)'
            cand --respond-status 'Answer POSTs with a valid signature with this status (to test a sender''s retries)'
            cand --respond-delay 'Wait this long before answering POSTs with a valid signature (150ms, 2s, 1m)'
            cand --forward-to 'Forward each POST with a valid signature to your app, re-signed, and answer with its status'
            cand --forward-secret 'Sign forwarded requests with this secret instead of the listener''s [env: WM_HOOKS_FORWARD_SECRET]; prefer the variable or --forward-secret-file'
            cand --forward-secret-file 'Read the forwarding secret from a file (one trailing newline is removed)'
            cand --forward-timeout 'How long to wait for the app''s answer before answering 504'
            cand -q 'Print less on stderr (errors still show)'
            cand --quiet 'Print less on stderr (errors still show)'
            cand -v 'Print more on stderr'
            cand --verbose 'Print more on stderr'
            cand --new-secret 'Generate a fresh secret instead of reusing the saved one, and save it in its place ($XDG_STATE_HOME/wm-hooks/secret, else ~/.local/state/wm-hooks/secret)'
            cand --json 'Print one JSON record line per request on stdout instead of the pretty output'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wm-hooks;ingest'= {
            cand --color 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)'
            cand --host 'The address to listen on; anything but loopback is reachable from other machines'
            cand --port 'The port to listen on; 0 picks a free one'
            cand --path 'The path that takes webhooks; other paths get 404'
            cand --secret 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file'
            cand --secret-file 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed'
            cand --verify-token 'The handshake''s hub.verify_token, when it is not the webhook secret (Meta and its libraries keep the two apart) [env: WM_HOOKS_VERIFY_TOKEN] [default: the webhook secret]; prefer the variable or --verify-token-file'
            cand --verify-token-file 'Read the verify token from a file (one trailing newline is removed)'
            cand --profile 'The platform: startmessaging (the API document''s envelope, X-Signature-256) or meta (the WhatsApp Cloud API''s: entry[].changes[].value, X-Hub-Signature-256, non-ASCII sent as \uXXXX) [env: WM_HOOKS_PROFILE] [default: startmessaging]'
            cand --signature-header 'The header that carries the signature, in any case [default: the profile''s: X-Signature-256, or X-Hub-Signature-256 under meta]. Both envelopes are recognised whatever the profile'
            cand --max-body 'The largest body accepted, in bytes or with a unit (64KiB, 1MiB, 10MB); larger gets 413'
            cand --read-timeout 'How long a client may take to send a request''s headers, and then its body; an idle keep-alive connection is closed after it too'
            cand --max-connections 'Open connections served at once; at the limit, a new connection makes the longest-idle one close (never one with a request in service), and is itself closed on arrival only when every connection has a request in service'
            cand --previous-secret 'Also accept this secret, during a rotation [env: WM_HOOKS_PREVIOUS_SECRET]; prefer the variable or --previous-secret-file'
            cand --previous-secret-file 'Read the previous secret from a file (one trailing newline is removed)'
            cand --store 'The store: sqlite:PATH, redis://HOST:PORT/DB (rediss:// for TLS) or redis+unix:///PATH/redis.sock?db=N, with ?stream=NAME [env: WM_HOOKS_STORE] [default: sqlite:wm-hooks.db]'
            cand --tls-cert 'Serve HTTPS with this certificate chain (PEM, leaf first); without it, plain HTTP for a TLS proxy in front'
            cand --tls-key 'The private key of --tls-cert (PEM)'
            cand --dedupe-window 'An event stored within this long is answered 200 and not stored again (the platform retries for 24h)'
            cand --metrics 'Serve Prometheus text at http://ADDR/metrics and a health check at /healthz (200 while the store answers), such as 127.0.0.1:9100'
            cand -q 'Print less on stderr (errors still show)'
            cand --quiet 'Print less on stderr (errors still show)'
            cand -v 'Print more on stderr'
            cand --verbose 'Print more on stderr'
            cand --json 'Print one JSON record line per request on stdout, with the store''s entry id'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wm-hooks;send-test'= {
            cand --color 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)'
            cand --to 'The receiver''s URL (the default is where `wm-hooks listen` listens)'
            cand --secret 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file'
            cand --secret-file 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed'
            cand --set 'Set a field of the sample before signing: PATH is dotted (data.text.body), VALUE is JSON when it parses as JSON, else a string. The field must exist in one of the samples sent. Repeatable'
            cand --set-new 'Like --set, but adds the field (and missing parent objects) when the sample lacks it; applied after every --set. Repeatable'
            cand --type 'The message type of message.received [default: text]'
            cand --reply 'The reply of an interactive message (--type interactive) [default: button]'
            cand --status 'The status of message.status; failed carries an errors array [default: delivered]'
            cand --template-status 'The update of template.status; rejected, paused and disabled carry a reason [default: approved]'
            cand --text 'The message text of message.received (sets data.text.body, or the first message''s text.body under meta)'
            cand --profile 'The platform: startmessaging (the API document''s envelope, X-Signature-256) or meta (the WhatsApp Cloud API''s: entry[].changes[].value, X-Hub-Signature-256, non-ASCII sent as \uXXXX) [env: WM_HOOKS_PROFILE] [default: startmessaging]'
            cand --batch 'Pack N updates (the events given, in turn) into one signed Meta delivery, spread over entries, changes and arrays as Meta batches them (needs --profile meta)'
            cand --payload-file 'Send this body byte for byte instead of a sample (- for stdin), at most 16 MiB. Repeatable: each file is one delivery, in order'
            cand --payload-dir 'Send every *.json file in DIR (each at most 16 MiB), byte for byte, in name order (a library''s fixture folder); after any --payload-file'
            cand --replay 'Send the bodies of the POSTs in a `listen --record` file, byte for byte, in order, each signed anew with the current secret (a file of at most 256 MiB, lines of at most 64 MiB, bodies of at most 16 MiB)'
            cand --signature 'The signature to send: a forgery (invalid) or none (missing) must be refused with a 4xx'
            cand --signature-header 'The header that carries the signature [default: the profile''s: X-Signature-256, or X-Hub-Signature-256 under meta]'
            cand -H 'Add a header to every request; it replaces a default header of the same name, but not the signature header (--signature chooses what it carries). Repeatable. @FILE reads one `Name: value` a line from FILE, so a key need not be on the command line'
            cand --header 'Add a header to every request; it replaces a default header of the same name, but not the signature header (--signature chooses what it carries). Repeatable. @FILE reads one `Name: value` a line from FILE, so a key need not be on the command line'
            cand --duplicate 'Deliver each event N times, byte for byte (the same message_id), as the platform may'
            cand --retry-scale 'Multiply the retry schedule by F: 0.001 turns 30s into 30ms'
            cand --count 'Send N events (samples get fresh ids; a payload file or a replay repeats) and print a summary with a progress bar on a terminal'
            cand --concurrency 'Send over C keep-alive connections at once'
            cand --timeout 'The answer budget (the platform''s is 5s): a slower answer is a failure, even a 2xx; after twice as long, no answer is a timeout. Connecting must also succeed within it. Examples: 5s, 300ms'
            cand -q 'Print less on stderr (errors still show)'
            cand --quiet 'Print less on stderr (errors still show)'
            cand -v 'Print more on stderr'
            cand --verbose 'Print more on stderr'
            cand --retry 'Retry a failed delivery (non-2xx, too slow, no answer) on the platform''s schedule: 30s, 2m, 15m, 1h, 6h'
            cand --insecure 'Accept any TLS certificate, such as a self-signed one on your machine. The platform always checks certificates'
            cand --dry-run 'Print the requests (body, headers, an equivalent curl command) and send nothing'
            cand --json 'Print one JSON line per request and a summary line on stdout (the report format of check and verify; the text summary goes to stderr)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wm-hooks;verify'= {
            cand --color 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)'
            cand --url 'The endpoint''s URL (the default is where `wm-hooks listen` listens)'
            cand --secret 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file'
            cand --secret-file 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed'
            cand --verify-token 'The handshake''s hub.verify_token, when it is not the webhook secret (Meta and its libraries keep the two apart) [env: WM_HOOKS_VERIFY_TOKEN] [default: the webhook secret]; prefer the variable or --verify-token-file'
            cand --verify-token-file 'Read the verify token from a file (one trailing newline is removed)'
            cand --profile 'The platform: startmessaging (the API document''s envelope, X-Signature-256) or meta (the WhatsApp Cloud API''s: entry[].changes[].value, X-Hub-Signature-256, non-ASCII sent as \uXXXX) [env: WM_HOOKS_PROFILE] [default: startmessaging]'
            cand --challenge 'The challenge to send, up to 256 bytes [default: random]'
            cand --timeout 'The answer budget (the platform''s is 5s): a slower answer is a failure, even a 2xx; after twice as long, no answer is a timeout. Connecting must also succeed within it. Examples: 5s, 300ms'
            cand -q 'Print less on stderr (errors still show)'
            cand --quiet 'Print less on stderr (errors still show)'
            cand -v 'Print more on stderr'
            cand --verbose 'Print more on stderr'
            cand --no-negative 'Skip the negative probes (a wrong token and a wrong hub.mode must not get the challenge back)'
            cand --insecure 'Accept any TLS certificate, such as a self-signed one on your machine. The platform always checks certificates'
            cand --json 'Print one JSON line per check and a summary line on stdout (the report format of check and send-test)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wm-hooks;check'= {
            cand --color 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)'
            cand --url 'The endpoint''s URL (the default is where `wm-hooks listen` listens)'
            cand --secret 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file'
            cand --secret-file 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed'
            cand --verify-token 'The handshake''s hub.verify_token, when it is not the webhook secret (Meta and its libraries keep the two apart) [env: WM_HOOKS_VERIFY_TOKEN] [default: the webhook secret]; prefer the variable or --verify-token-file'
            cand --verify-token-file 'Read the verify token from a file (one trailing newline is removed)'
            cand --profile 'The platform: startmessaging (the API document''s envelope, X-Signature-256) or meta (the WhatsApp Cloud API''s: entry[].changes[].value, X-Hub-Signature-256, non-ASCII sent as \uXXXX) [env: WM_HOOKS_PROFILE] [default: startmessaging]'
            cand --signature-header 'The header that carries the signature [default: the profile''s: X-Signature-256, or X-Hub-Signature-256 under meta]'
            cand -H 'Add a header to every request, the handshake''s GETs included (a gateway''s key, X-GitHub-Event); it replaces a default header of the same name. Repeatable. @FILE reads one `Name: value` a line from FILE, so a key need not be on the command line'
            cand --header 'Add a header to every request, the handshake''s GETs included (a gateway''s key, X-GitHub-Event); it replaces a default header of the same name. Repeatable. @FILE reads one `Name: value` a line from FILE, so a key need not be on the command line'
            cand --only 'Run only these checks: names (see --list) or groups (handshake, signature, signature.valid, tolerance), comma-separated or repeated'
            cand --skip 'Do not run these checks: names or groups, comma-separated or repeated'
            cand --timeout 'The answer budget (the platform''s is 5s): a slower answer is a failure, even a 2xx; after twice as long, no answer is a timeout. Connecting must also succeed within it. Examples: 5s, 300ms'
            cand --junit 'Also write the results as JUnit XML to FILE, for CI test reports'
            cand -q 'Print less on stderr (errors still show)'
            cand --quiet 'Print less on stderr (errors still show)'
            cand -v 'Print more on stderr'
            cand --verbose 'Print more on stderr'
            cand --insecure 'Accept any TLS certificate, such as a self-signed one on your machine. The platform always checks certificates'
            cand --json 'Print one JSON line per check and a summary line on stdout instead of the card (the report format of verify and send-test)'
            cand --list 'List the (selected) checks and what each is for; send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wm-hooks;configure'= {
            cand --color 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)'
            cand --url 'The webhook URL the platform will call; must be https://'
            cand --secret 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file'
            cand --secret-file 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed'
            cand --save-secret 'Write the registered secret to FILE (mode 0600) once the API has saved it; an existing FILE is refused unless --force. --json then names FILE'
            cand --events 'Events to subscribe to, comma-separated or repeated [default: all three]'
            cand --api-key 'The StartMessaging API key [env: WM_HOOKS_API_KEY]. Visible to other users in the process list: prefer the variable'
            cand --api-url 'The API base URL [env: WM_HOOKS_API_URL] [default: https://api.startmessaging.com]. Plain http:// only for a local stand-in (localhost, 127.0.0.1, ::1)'
            cand --timeout 'How long one request may take before it is retried'
            cand -q 'Print less on stderr (errors still show)'
            cand --quiet 'Print less on stderr (errors still show)'
            cand -v 'Print more on stderr'
            cand --verbose 'Print more on stderr'
            cand --generate-secret 'Generate a new secret (32 random bytes, hex) and show it once after saving (with --save-secret, write it there instead of showing it)'
            cand --force 'Let --save-secret replace an existing file'
            cand --verify-first 'Run the platform''s handshake (as `wm-hooks verify` does) against the URL first, and register nothing when it would fail the platform''s "Save & Verify"'
            cand --dry-run 'Print the request as a curl command, key and secret masked, and send nothing'
            cand -y 'Do not ask for confirmation before sending'
            cand --yes 'Do not ask for confirmation before sending'
            cand --json 'Print the API''s JSON answer on stdout'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wm-hooks;sign'= {
            cand --color 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)'
            cand --secret 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file'
            cand --secret-file 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed'
            cand --payload-file 'The payload to sign, read as raw bytes, at most 64 MiB (stdin when absent or -)'
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
            cand --color 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)'
            cand --signature 'The header value to check: sha256= and 64 hex digits (either case)'
            cand --secret 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file'
            cand --secret-file 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed'
            cand --payload-file 'The payload, read as raw bytes, at most 64 MiB (stdin when absent or -)'
            cand -q 'Print less on stderr (errors still show)'
            cand --quiet 'Print less on stderr (errors still show)'
            cand -v 'Print more on stderr'
            cand --verbose 'Print more on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wm-hooks;deliver'= {
            cand --color 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)'
            cand --from 'The store to deliver from: sqlite:PATH or redis://HOST:PORT/DB?stream=NAME [env: WM_HOOKS_STORE] [default: sqlite:wm-hooks.db]'
            cand --to 'Where events go: URL for every event, or EVENT=URL (repeatable) to route one event type; an event no route takes becomes a dead letter'
            cand --secret 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file'
            cand --secret-file 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed'
            cand --forward-secret 'Sign deliveries with this secret instead of the webhook secret [env: WM_HOOKS_FORWARD_SECRET]; prefer the variable or --forward-secret-file'
            cand --forward-secret-file 'Read the signing secret from a file (one trailing newline is removed)'
            cand --signature-header 'The header that carries the signature'
            cand --group 'The Redis consumer group (ignored for SQLite)'
            cand --consumer 'This process''s name in the group [default: HOST-PID]'
            cand --claim-after 'Claim what another consumer holds after this long without an answer (it died)'
            cand --concurrency 'Deliveries in flight at once'
            cand --timeout 'How long the app may take to answer one delivery'
            cand --retry-schedule 'The waits between attempts, comma-separated; after the last, a dead letter'
            cand --retry-scale 'Multiply the retry schedule by F: 0.001 turns 30s into 30ms'
            cand -q 'Print less on stderr (errors still show)'
            cand --quiet 'Print less on stderr (errors still show)'
            cand -v 'Print more on stderr'
            cand --verbose 'Print more on stderr'
            cand --json 'Print one JSON line per attempt on stdout'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wm-hooks;store'= {
            cand --color 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)'
            cand -q 'Print less on stderr (errors still show)'
            cand --quiet 'Print less on stderr (errors still show)'
            cand -v 'Print more on stderr'
            cand --verbose 'Print more on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand stats 'Print the counts: stored, pending, retrying, dead, delivered, duplicates, lost'
            cand dead 'List the dead letters with their last error'
            cand redrive 'Put dead letters back for delivery (all, or those named), attempts reset'
            cand prune 'Remove delivered entries received more than --older-than ago'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wm-hooks;store;stats'= {
            cand --store 'The store: sqlite:PATH, redis://HOST:PORT/DB (rediss:// for TLS) or redis+unix:///PATH/redis.sock?db=N, with ?stream=NAME [env: WM_HOOKS_STORE] [default: sqlite:wm-hooks.db]'
            cand --group 'The Redis consumer group whose deliveries are counted (ignored for SQLite)'
            cand --color 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)'
            cand --json 'Print one JSON object on stdout'
            cand -q 'Print less on stderr (errors still show)'
            cand --quiet 'Print less on stderr (errors still show)'
            cand -v 'Print more on stderr'
            cand --verbose 'Print more on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wm-hooks;store;dead'= {
            cand --store 'The store: sqlite:PATH, redis://HOST:PORT/DB (rediss:// for TLS) or redis+unix:///PATH/redis.sock?db=N, with ?stream=NAME [env: WM_HOOKS_STORE] [default: sqlite:wm-hooks.db]'
            cand --group 'The Redis consumer group whose deliveries are counted (ignored for SQLite)'
            cand --limit 'List at most N, in the order their events were stored'
            cand --color 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)'
            cand --json 'Print one JSON object per dead letter on stdout'
            cand -q 'Print less on stderr (errors still show)'
            cand --quiet 'Print less on stderr (errors still show)'
            cand -v 'Print more on stderr'
            cand --verbose 'Print more on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wm-hooks;store;redrive'= {
            cand --store 'The store: sqlite:PATH, redis://HOST:PORT/DB (rediss:// for TLS) or redis+unix:///PATH/redis.sock?db=N, with ?stream=NAME [env: WM_HOOKS_STORE] [default: sqlite:wm-hooks.db]'
            cand --group 'The Redis consumer group whose deliveries are counted (ignored for SQLite)'
            cand --color 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)'
            cand --all 'Put every dead letter back'
            cand -q 'Print less on stderr (errors still show)'
            cand --quiet 'Print less on stderr (errors still show)'
            cand -v 'Print more on stderr'
            cand --verbose 'Print more on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wm-hooks;store;prune'= {
            cand --store 'The store: sqlite:PATH, redis://HOST:PORT/DB (rediss:// for TLS) or redis+unix:///PATH/redis.sock?db=N, with ?stream=NAME [env: WM_HOOKS_STORE] [default: sqlite:wm-hooks.db]'
            cand --group 'The Redis consumer group whose deliveries are counted (ignored for SQLite)'
            cand --older-than 'Remove what was delivered and received longer ago than this (24h, 7d)'
            cand --color 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)'
            cand --json 'Print one JSON object on stdout'
            cand -q 'Print less on stderr (errors still show)'
            cand --quiet 'Print less on stderr (errors still show)'
            cand -v 'Print more on stderr'
            cand --verbose 'Print more on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wm-hooks;store;help'= {
            cand stats 'Print the counts: stored, pending, retrying, dead, delivered, duplicates, lost'
            cand dead 'List the dead letters with their last error'
            cand redrive 'Put dead letters back for delivery (all, or those named), attempts reset'
            cand prune 'Remove delivered entries received more than --older-than ago'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wm-hooks;store;help;stats'= {
        }
        &'wm-hooks;store;help;dead'= {
        }
        &'wm-hooks;store;help;redrive'= {
        }
        &'wm-hooks;store;help;prune'= {
        }
        &'wm-hooks;store;help;help'= {
        }
        &'wm-hooks;events'= {
            cand --color 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)'
            cand --type 'The message type of message.received [default: text]'
            cand --reply 'The reply of an interactive message (--type interactive) [default: button]'
            cand --status 'The status of message.status; failed carries an errors array [default: delivered]'
            cand --template-status 'The update of template.status; rejected, paused and disabled carry a reason [default: approved]'
            cand --profile 'The platform: startmessaging (the API document''s envelope, X-Signature-256) or meta (the WhatsApp Cloud API''s: entry[].changes[].value, X-Hub-Signature-256, non-ASCII sent as \uXXXX) [env: WM_HOOKS_PROFILE] [default: startmessaging]'
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
            cand listen 'Run a local webhook receiver that verifies and shows every delivery'
            cand ingest 'The production receiver: verify, dedupe, store durably, and only then answer 2xx'
            cand send-test 'Play the platform: sign sample events and POST them to your endpoint'
            cand verify 'Run the platform''s handshake GET against your endpoint and check the answer'
            cand check 'Play the platform''s whole contract against your endpoint (handshake, signatures, duplicates, tolerance, the 5 s budget) and print a report card'
            cand configure 'Register the webhook with the StartMessaging API (PUT /v1/webhooks); asks for missing values on a terminal, never in CI'
            cand sign 'Print the X-Signature-256 value (sha256=<hex>) for a payload'
            cand verify-signature 'Check a signature against a payload: exit 0 valid, 1 invalid, 2 bad input'
            cand deliver 'Move stored events to your app, at least once: re-signed, retried on the platform''s schedule, then dead letters'
            cand store 'Inspect a store: counts, dead letters, putting them back for delivery, pruning'
            cand events 'List the event types, or print one''s sample payload'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wm-hooks;help;listen'= {
        }
        &'wm-hooks;help;ingest'= {
        }
        &'wm-hooks;help;send-test'= {
        }
        &'wm-hooks;help;verify'= {
        }
        &'wm-hooks;help;check'= {
        }
        &'wm-hooks;help;configure'= {
        }
        &'wm-hooks;help;sign'= {
        }
        &'wm-hooks;help;verify-signature'= {
        }
        &'wm-hooks;help;deliver'= {
        }
        &'wm-hooks;help;store'= {
            cand stats 'Print the counts: stored, pending, retrying, dead, delivered, duplicates, lost'
            cand dead 'List the dead letters with their last error'
            cand redrive 'Put dead letters back for delivery (all, or those named), attempts reset'
            cand prune 'Remove delivered entries received more than --older-than ago'
        }
        &'wm-hooks;help;store;stats'= {
        }
        &'wm-hooks;help;store;dead'= {
        }
        &'wm-hooks;help;store;redrive'= {
        }
        &'wm-hooks;help;store;prune'= {
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
