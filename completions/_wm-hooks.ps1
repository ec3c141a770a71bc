
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'wm-hooks' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'wm-hooks'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'wm-hooks' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Run a local webhook receiver that verifies and shows every delivery')
            [CompletionResult]::new('ingest', 'ingest', [CompletionResultType]::ParameterValue, 'The production receiver: verify, dedupe, store durably, and only then answer 2xx')
            [CompletionResult]::new('send-test', 'send-test', [CompletionResultType]::ParameterValue, 'Play the platform: sign sample events and POST them to your endpoint')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Run the platform''s handshake GET against your endpoint and check the answer')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Play the platform''s whole contract against your endpoint (handshake, signatures, duplicates, tolerance, the 5 s budget) and print a report card')
            [CompletionResult]::new('configure', 'configure', [CompletionResultType]::ParameterValue, 'Register the webhook with the StartMessaging API (PUT /v1/webhooks); asks for missing values on a terminal, never in CI')
            [CompletionResult]::new('sign', 'sign', [CompletionResultType]::ParameterValue, 'Print the X-Signature-256 value (sha256=<hex>) for a payload')
            [CompletionResult]::new('verify-signature', 'verify-signature', [CompletionResultType]::ParameterValue, 'Check a signature against a payload: exit 0 valid, 1 invalid, 2 bad input')
            [CompletionResult]::new('deliver', 'deliver', [CompletionResultType]::ParameterValue, 'Move stored events to your app, at least once: re-signed, retried on the platform''s schedule, then dead letters')
            [CompletionResult]::new('store', 'store', [CompletionResultType]::ParameterValue, 'Inspect a store: counts, dead letters, putting them back for delivery, pruning')
            [CompletionResult]::new('events', 'events', [CompletionResultType]::ParameterValue, 'List the event types, or print one''s sample payload')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wm-hooks;listen' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The address to listen on; anything but loopback is reachable from other machines')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The port to listen on; 0 picks a free one')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'The path that takes webhooks; other paths get 404')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed')
            [CompletionResult]::new('--verify-token', '--verify-token', [CompletionResultType]::ParameterName, 'The handshake''s hub.verify_token, when it is not the webhook secret (Meta and its libraries keep the two apart) [env: WM_HOOKS_VERIFY_TOKEN] [default: the webhook secret]; prefer the variable or --verify-token-file')
            [CompletionResult]::new('--verify-token-file', '--verify-token-file', [CompletionResultType]::ParameterName, 'Read the verify token from a file (one trailing newline is removed)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The platform: startmessaging (the API document''s envelope, X-Signature-256) or meta (the WhatsApp Cloud API''s: entry[].changes[].value, X-Hub-Signature-256, non-ASCII sent as \uXXXX) [env: WM_HOOKS_PROFILE] [default: startmessaging]')
            [CompletionResult]::new('--signature-header', '--signature-header', [CompletionResultType]::ParameterName, 'The header that carries the signature, in any case [default: the profile''s: X-Signature-256, or X-Hub-Signature-256 under meta]. Both envelopes are recognised whatever the profile')
            [CompletionResult]::new('--max-body', '--max-body', [CompletionResultType]::ParameterName, 'The largest body accepted, in bytes or with a unit (64KiB, 1MiB, 10MB); larger gets 413')
            [CompletionResult]::new('--read-timeout', '--read-timeout', [CompletionResultType]::ParameterName, 'How long a client may take to send a request''s headers, and then its body; an idle keep-alive connection is closed after it too')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Open connections served at once; at the limit, a new connection makes the longest-idle one close (never one with a request in service), and is itself closed on arrival only when every connection has a request in service')
            [CompletionResult]::new('--record', '--record', [CompletionResultType]::ParameterName, 'Append one JSON record line per request to FILE (never truncated)')
            [CompletionResult]::new('--respond-status', '--respond-status', [CompletionResultType]::ParameterName, 'Answer POSTs with a valid signature with this status (to test a sender''s retries)')
            [CompletionResult]::new('--respond-delay', '--respond-delay', [CompletionResultType]::ParameterName, 'Wait this long before answering POSTs with a valid signature (150ms, 2s, 1m)')
            [CompletionResult]::new('--forward-to', '--forward-to', [CompletionResultType]::ParameterName, 'Forward each POST with a valid signature to your app, re-signed, and answer with its status')
            [CompletionResult]::new('--forward-secret', '--forward-secret', [CompletionResultType]::ParameterName, 'Sign forwarded requests with this secret instead of the listener''s [env: WM_HOOKS_FORWARD_SECRET]; prefer the variable or --forward-secret-file')
            [CompletionResult]::new('--forward-secret-file', '--forward-secret-file', [CompletionResultType]::ParameterName, 'Read the forwarding secret from a file (one trailing newline is removed)')
            [CompletionResult]::new('--forward-timeout', '--forward-timeout', [CompletionResultType]::ParameterName, 'How long to wait for the app''s answer before answering 504')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('--new-secret', '--new-secret', [CompletionResultType]::ParameterName, 'Generate a fresh secret instead of reusing the saved one, and save it in its place ($XDG_STATE_HOME/wm-hooks/secret, else ~/.local/state/wm-hooks/secret)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON record line per request on stdout instead of the pretty output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wm-hooks;ingest' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The address to listen on; anything but loopback is reachable from other machines')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The port to listen on; 0 picks a free one')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'The path that takes webhooks; other paths get 404')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed')
            [CompletionResult]::new('--verify-token', '--verify-token', [CompletionResultType]::ParameterName, 'The handshake''s hub.verify_token, when it is not the webhook secret (Meta and its libraries keep the two apart) [env: WM_HOOKS_VERIFY_TOKEN] [default: the webhook secret]; prefer the variable or --verify-token-file')
            [CompletionResult]::new('--verify-token-file', '--verify-token-file', [CompletionResultType]::ParameterName, 'Read the verify token from a file (one trailing newline is removed)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The platform: startmessaging (the API document''s envelope, X-Signature-256) or meta (the WhatsApp Cloud API''s: entry[].changes[].value, X-Hub-Signature-256, non-ASCII sent as \uXXXX) [env: WM_HOOKS_PROFILE] [default: startmessaging]')
            [CompletionResult]::new('--signature-header', '--signature-header', [CompletionResultType]::ParameterName, 'The header that carries the signature, in any case [default: the profile''s: X-Signature-256, or X-Hub-Signature-256 under meta]. Both envelopes are recognised whatever the profile')
            [CompletionResult]::new('--max-body', '--max-body', [CompletionResultType]::ParameterName, 'The largest body accepted, in bytes or with a unit (64KiB, 1MiB, 10MB); larger gets 413')
            [CompletionResult]::new('--read-timeout', '--read-timeout', [CompletionResultType]::ParameterName, 'How long a client may take to send a request''s headers, and then its body; an idle keep-alive connection is closed after it too')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Open connections served at once; at the limit, a new connection makes the longest-idle one close (never one with a request in service), and is itself closed on arrival only when every connection has a request in service')
            [CompletionResult]::new('--previous-secret', '--previous-secret', [CompletionResultType]::ParameterName, 'Also accept this secret, during a rotation [env: WM_HOOKS_PREVIOUS_SECRET]; prefer the variable or --previous-secret-file')
            [CompletionResult]::new('--previous-secret-file', '--previous-secret-file', [CompletionResultType]::ParameterName, 'Read the previous secret from a file (one trailing newline is removed)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: sqlite:PATH, redis://HOST:PORT/DB (rediss:// for TLS) or redis+unix:///PATH/redis.sock?db=N, with ?stream=NAME [env: WM_HOOKS_STORE] [default: sqlite:wm-hooks.db]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Serve HTTPS with this certificate chain (PEM, leaf first); without it, plain HTTP for a TLS proxy in front')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The private key of --tls-cert (PEM)')
            [CompletionResult]::new('--dedupe-window', '--dedupe-window', [CompletionResultType]::ParameterName, 'An event stored within this long is answered 200 and not stored again (the platform retries for 24h)')
            [CompletionResult]::new('--metrics', '--metrics', [CompletionResultType]::ParameterName, 'Serve Prometheus text at http://ADDR/metrics and a health check at /healthz (200 while the store answers), such as 127.0.0.1:9100')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON record line per request on stdout, with the store''s entry id')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wm-hooks;send-test' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The receiver''s URL (the default is where `wm-hooks listen` listens)')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Set a field of the sample before signing: PATH is dotted (data.text.body), VALUE is JSON when it parses as JSON, else a string. The field must exist in one of the samples sent. Repeatable')
            [CompletionResult]::new('--set-new', '--set-new', [CompletionResultType]::ParameterName, 'Like --set, but adds the field (and missing parent objects) when the sample lacks it; applied after every --set. Repeatable')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'The message type of message.received [default: text]')
            [CompletionResult]::new('--reply', '--reply', [CompletionResultType]::ParameterName, 'The reply of an interactive message (--type interactive) [default: button]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'The status of message.status; failed carries an errors array [default: delivered]')
            [CompletionResult]::new('--template-status', '--template-status', [CompletionResultType]::ParameterName, 'The update of template.status; rejected, paused and disabled carry a reason [default: approved]')
            [CompletionResult]::new('--text', '--text', [CompletionResultType]::ParameterName, 'The message text of message.received (sets data.text.body, or the first message''s text.body under meta)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The platform: startmessaging (the API document''s envelope, X-Signature-256) or meta (the WhatsApp Cloud API''s: entry[].changes[].value, X-Hub-Signature-256, non-ASCII sent as \uXXXX) [env: WM_HOOKS_PROFILE] [default: startmessaging]')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Pack N updates (the events given, in turn) into one signed Meta delivery, spread over entries, changes and arrays as Meta batches them (needs --profile meta)')
            [CompletionResult]::new('--payload-file', '--payload-file', [CompletionResultType]::ParameterName, 'Send this body byte for byte instead of a sample (- for stdin), at most 16 MiB. Repeatable: each file is one delivery, in order')
            [CompletionResult]::new('--payload-dir', '--payload-dir', [CompletionResultType]::ParameterName, 'Send every *.json file in DIR (each at most 16 MiB), byte for byte, in name order (a library''s fixture folder); after any --payload-file')
            [CompletionResult]::new('--replay', '--replay', [CompletionResultType]::ParameterName, 'Send the bodies of the POSTs in a `listen --record` file, byte for byte, in order, each signed anew with the current secret (a file of at most 256 MiB, lines of at most 64 MiB, bodies of at most 16 MiB)')
            [CompletionResult]::new('--signature', '--signature', [CompletionResultType]::ParameterName, 'The signature to send: a forgery (invalid) or none (missing) must be refused with a 4xx')
            [CompletionResult]::new('--signature-header', '--signature-header', [CompletionResultType]::ParameterName, 'The header that carries the signature [default: the profile''s: X-Signature-256, or X-Hub-Signature-256 under meta]')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Add a header to every request; it replaces a default header of the same name, but not the signature header (--signature chooses what it carries). Repeatable. @FILE reads one `Name: value` a line from FILE, so a key need not be on the command line')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Add a header to every request; it replaces a default header of the same name, but not the signature header (--signature chooses what it carries). Repeatable. @FILE reads one `Name: value` a line from FILE, so a key need not be on the command line')
            [CompletionResult]::new('--duplicate', '--duplicate', [CompletionResultType]::ParameterName, 'Deliver each event N times, byte for byte (the same message_id), as the platform may')
            [CompletionResult]::new('--retry-scale', '--retry-scale', [CompletionResultType]::ParameterName, 'Multiply the retry schedule by F: 0.001 turns 30s into 30ms')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Send N events (samples get fresh ids; a payload file or a replay repeats) and print a summary with a progress bar on a terminal')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Send over C keep-alive connections at once')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'The answer budget (the platform''s is 5s): a slower answer is a failure, even a 2xx; after twice as long, no answer is a timeout. Connecting must also succeed within it. Examples: 5s, 300ms')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('--retry', '--retry', [CompletionResultType]::ParameterName, 'Retry a failed delivery (non-2xx, too slow, no answer) on the platform''s schedule: 30s, 2m, 15m, 1h, 6h')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Accept any TLS certificate, such as a self-signed one on your machine. The platform always checks certificates')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the requests (body, headers, an equivalent curl command) and send nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON line per request and a summary line on stdout (the report format of check and verify; the text summary goes to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wm-hooks;verify' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'The endpoint''s URL (the default is where `wm-hooks listen` listens)')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed')
            [CompletionResult]::new('--verify-token', '--verify-token', [CompletionResultType]::ParameterName, 'The handshake''s hub.verify_token, when it is not the webhook secret (Meta and its libraries keep the two apart) [env: WM_HOOKS_VERIFY_TOKEN] [default: the webhook secret]; prefer the variable or --verify-token-file')
            [CompletionResult]::new('--verify-token-file', '--verify-token-file', [CompletionResultType]::ParameterName, 'Read the verify token from a file (one trailing newline is removed)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The platform: startmessaging (the API document''s envelope, X-Signature-256) or meta (the WhatsApp Cloud API''s: entry[].changes[].value, X-Hub-Signature-256, non-ASCII sent as \uXXXX) [env: WM_HOOKS_PROFILE] [default: startmessaging]')
            [CompletionResult]::new('--challenge', '--challenge', [CompletionResultType]::ParameterName, 'The challenge to send, up to 256 bytes [default: random]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'The answer budget (the platform''s is 5s): a slower answer is a failure, even a 2xx; after twice as long, no answer is a timeout. Connecting must also succeed within it. Examples: 5s, 300ms')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('--no-negative', '--no-negative', [CompletionResultType]::ParameterName, 'Skip the negative probes (a wrong token and a wrong hub.mode must not get the challenge back)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Accept any TLS certificate, such as a self-signed one on your machine. The platform always checks certificates')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON line per check and a summary line on stdout (the report format of check and send-test)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wm-hooks;check' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'The endpoint''s URL (the default is where `wm-hooks listen` listens)')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed')
            [CompletionResult]::new('--verify-token', '--verify-token', [CompletionResultType]::ParameterName, 'The handshake''s hub.verify_token, when it is not the webhook secret (Meta and its libraries keep the two apart) [env: WM_HOOKS_VERIFY_TOKEN] [default: the webhook secret]; prefer the variable or --verify-token-file')
            [CompletionResult]::new('--verify-token-file', '--verify-token-file', [CompletionResultType]::ParameterName, 'Read the verify token from a file (one trailing newline is removed)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The platform: startmessaging (the API document''s envelope, X-Signature-256) or meta (the WhatsApp Cloud API''s: entry[].changes[].value, X-Hub-Signature-256, non-ASCII sent as \uXXXX) [env: WM_HOOKS_PROFILE] [default: startmessaging]')
            [CompletionResult]::new('--signature-header', '--signature-header', [CompletionResultType]::ParameterName, 'The header that carries the signature [default: the profile''s: X-Signature-256, or X-Hub-Signature-256 under meta]')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Add a header to every request, the handshake''s GETs included (a gateway''s key, X-GitHub-Event); it replaces a default header of the same name. Repeatable. @FILE reads one `Name: value` a line from FILE, so a key need not be on the command line')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Add a header to every request, the handshake''s GETs included (a gateway''s key, X-GitHub-Event); it replaces a default header of the same name. Repeatable. @FILE reads one `Name: value` a line from FILE, so a key need not be on the command line')
            [CompletionResult]::new('--only', '--only', [CompletionResultType]::ParameterName, 'Run only these checks: names (see --list) or groups (handshake, signature, signature.valid, tolerance), comma-separated or repeated')
            [CompletionResult]::new('--skip', '--skip', [CompletionResultType]::ParameterName, 'Do not run these checks: names or groups, comma-separated or repeated')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'The answer budget (the platform''s is 5s): a slower answer is a failure, even a 2xx; after twice as long, no answer is a timeout. Connecting must also succeed within it. Examples: 5s, 300ms')
            [CompletionResult]::new('--junit', '--junit', [CompletionResultType]::ParameterName, 'Also write the results as JUnit XML to FILE, for CI test reports')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Accept any TLS certificate, such as a self-signed one on your machine. The platform always checks certificates')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON line per check and a summary line on stdout instead of the card (the report format of verify and send-test)')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'List the (selected) checks and what each is for; send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wm-hooks;configure' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'The webhook URL the platform will call; must be https://')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed')
            [CompletionResult]::new('--save-secret', '--save-secret', [CompletionResultType]::ParameterName, 'Write the registered secret to FILE (mode 0600) once the API has saved it; an existing FILE is refused unless --force. --json then names FILE')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'Events to subscribe to, comma-separated or repeated [default: all three]')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'The StartMessaging API key [env: WM_HOOKS_API_KEY]. Visible to other users in the process list: prefer the variable')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'The API base URL [env: WM_HOOKS_API_URL] [default: https://api.startmessaging.com]. Plain http:// only for a local stand-in (localhost, 127.0.0.1, ::1)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long one request may take before it is retried')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('--generate-secret', '--generate-secret', [CompletionResultType]::ParameterName, 'Generate a new secret (32 random bytes, hex) and show it once after saving (with --save-secret, write it there instead of showing it)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Let --save-secret replace an existing file')
            [CompletionResult]::new('--verify-first', '--verify-first', [CompletionResultType]::ParameterName, 'Run the platform''s handshake (as `wm-hooks verify` does) against the URL first, and register nothing when it would fail the platform''s "Save & Verify"')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the request as a curl command, key and secret masked, and send nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation before sending')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation before sending')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the API''s JSON answer on stdout')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wm-hooks;sign' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed')
            [CompletionResult]::new('--payload-file', '--payload-file', [CompletionResultType]::ParameterName, 'The payload to sign, read as raw bytes, at most 64 MiB (stdin when absent or -)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wm-hooks;verify-signature' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)')
            [CompletionResult]::new('--signature', '--signature', [CompletionResultType]::ParameterName, 'The header value to check: sha256= and 64 hex digits (either case)')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed')
            [CompletionResult]::new('--payload-file', '--payload-file', [CompletionResultType]::ParameterName, 'The payload, read as raw bytes, at most 64 MiB (stdin when absent or -)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wm-hooks;deliver' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'The store to deliver from: sqlite:PATH or redis://HOST:PORT/DB?stream=NAME [env: WM_HOOKS_STORE] [default: sqlite:wm-hooks.db]')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Where events go: URL for every event, or EVENT=URL (repeatable) to route one event type; an event no route takes becomes a dead letter')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed')
            [CompletionResult]::new('--forward-secret', '--forward-secret', [CompletionResultType]::ParameterName, 'Sign deliveries with this secret instead of the webhook secret [env: WM_HOOKS_FORWARD_SECRET]; prefer the variable or --forward-secret-file')
            [CompletionResult]::new('--forward-secret-file', '--forward-secret-file', [CompletionResultType]::ParameterName, 'Read the signing secret from a file (one trailing newline is removed)')
            [CompletionResult]::new('--signature-header', '--signature-header', [CompletionResultType]::ParameterName, 'The header that carries the signature')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'The Redis consumer group (ignored for SQLite)')
            [CompletionResult]::new('--consumer', '--consumer', [CompletionResultType]::ParameterName, 'This process''s name in the group [default: HOST-PID]')
            [CompletionResult]::new('--claim-after', '--claim-after', [CompletionResultType]::ParameterName, 'Claim what another consumer holds after this long without an answer (it died)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Deliveries in flight at once')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long the app may take to answer one delivery')
            [CompletionResult]::new('--retry-schedule', '--retry-schedule', [CompletionResultType]::ParameterName, 'The waits between attempts, comma-separated; after the last, a dead letter')
            [CompletionResult]::new('--retry-scale', '--retry-scale', [CompletionResultType]::ParameterName, 'Multiply the retry schedule by F: 0.001 turns 30s into 30ms')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON line per attempt on stdout')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wm-hooks;store' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Print the counts: stored, pending, retrying, dead, delivered, duplicates, lost')
            [CompletionResult]::new('dead', 'dead', [CompletionResultType]::ParameterValue, 'List the dead letters with their last error')
            [CompletionResult]::new('redrive', 'redrive', [CompletionResultType]::ParameterValue, 'Put dead letters back for delivery (all, or those named), attempts reset')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Remove delivered entries received more than --older-than ago')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wm-hooks;store;stats' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: sqlite:PATH, redis://HOST:PORT/DB (rediss:// for TLS) or redis+unix:///PATH/redis.sock?db=N, with ?stream=NAME [env: WM_HOOKS_STORE] [default: sqlite:wm-hooks.db]')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'The Redis consumer group whose deliveries are counted (ignored for SQLite)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wm-hooks;store;dead' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: sqlite:PATH, redis://HOST:PORT/DB (rediss:// for TLS) or redis+unix:///PATH/redis.sock?db=N, with ?stream=NAME [env: WM_HOOKS_STORE] [default: sqlite:wm-hooks.db]')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'The Redis consumer group whose deliveries are counted (ignored for SQLite)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'List at most N, in the order their events were stored')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per dead letter on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wm-hooks;store;redrive' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: sqlite:PATH, redis://HOST:PORT/DB (rediss:// for TLS) or redis+unix:///PATH/redis.sock?db=N, with ?stream=NAME [env: WM_HOOKS_STORE] [default: sqlite:wm-hooks.db]')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'The Redis consumer group whose deliveries are counted (ignored for SQLite)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Put every dead letter back')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wm-hooks;store;prune' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: sqlite:PATH, redis://HOST:PORT/DB (rediss:// for TLS) or redis+unix:///PATH/redis.sock?db=N, with ?stream=NAME [env: WM_HOOKS_STORE] [default: sqlite:wm-hooks.db]')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'The Redis consumer group whose deliveries are counted (ignored for SQLite)')
            [CompletionResult]::new('--older-than', '--older-than', [CompletionResultType]::ParameterName, 'Remove what was delivered and received longer ago than this (24h, 7d)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wm-hooks;store;help' {
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Print the counts: stored, pending, retrying, dead, delivered, duplicates, lost')
            [CompletionResult]::new('dead', 'dead', [CompletionResultType]::ParameterValue, 'List the dead letters with their last error')
            [CompletionResult]::new('redrive', 'redrive', [CompletionResultType]::ParameterValue, 'Put dead letters back for delivery (all, or those named), attempts reset')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Remove delivered entries received more than --older-than ago')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wm-hooks;store;help;stats' {
            break
        }
        'wm-hooks;store;help;dead' {
            break
        }
        'wm-hooks;store;help;redrive' {
            break
        }
        'wm-hooks;store;help;prune' {
            break
        }
        'wm-hooks;store;help;help' {
            break
        }
        'wm-hooks;events' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'The message type of message.received [default: text]')
            [CompletionResult]::new('--reply', '--reply', [CompletionResultType]::ParameterName, 'The reply of an interactive message (--type interactive) [default: button]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'The status of message.status; failed carries an errors array [default: delivered]')
            [CompletionResult]::new('--template-status', '--template-status', [CompletionResultType]::ParameterName, 'The update of template.status; rejected, paused and disabled carry a reason [default: approved]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The platform: startmessaging (the API document''s envelope, X-Signature-256) or meta (the WhatsApp Cloud API''s: entry[].changes[].value, X-Hub-Signature-256, non-ASCII sent as \uXXXX) [env: WM_HOOKS_PROFILE] [default: startmessaging]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wm-hooks;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less on stderr (errors still show)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wm-hooks;help' {
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Run a local webhook receiver that verifies and shows every delivery')
            [CompletionResult]::new('ingest', 'ingest', [CompletionResultType]::ParameterValue, 'The production receiver: verify, dedupe, store durably, and only then answer 2xx')
            [CompletionResult]::new('send-test', 'send-test', [CompletionResultType]::ParameterValue, 'Play the platform: sign sample events and POST them to your endpoint')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Run the platform''s handshake GET against your endpoint and check the answer')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Play the platform''s whole contract against your endpoint (handshake, signatures, duplicates, tolerance, the 5 s budget) and print a report card')
            [CompletionResult]::new('configure', 'configure', [CompletionResultType]::ParameterValue, 'Register the webhook with the StartMessaging API (PUT /v1/webhooks); asks for missing values on a terminal, never in CI')
            [CompletionResult]::new('sign', 'sign', [CompletionResultType]::ParameterValue, 'Print the X-Signature-256 value (sha256=<hex>) for a payload')
            [CompletionResult]::new('verify-signature', 'verify-signature', [CompletionResultType]::ParameterValue, 'Check a signature against a payload: exit 0 valid, 1 invalid, 2 bad input')
            [CompletionResult]::new('deliver', 'deliver', [CompletionResultType]::ParameterValue, 'Move stored events to your app, at least once: re-signed, retried on the platform''s schedule, then dead letters')
            [CompletionResult]::new('store', 'store', [CompletionResultType]::ParameterValue, 'Inspect a store: counts, dead letters, putting them back for delivery, pruning')
            [CompletionResult]::new('events', 'events', [CompletionResultType]::ParameterValue, 'List the event types, or print one''s sample payload')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wm-hooks;help;listen' {
            break
        }
        'wm-hooks;help;ingest' {
            break
        }
        'wm-hooks;help;send-test' {
            break
        }
        'wm-hooks;help;verify' {
            break
        }
        'wm-hooks;help;check' {
            break
        }
        'wm-hooks;help;configure' {
            break
        }
        'wm-hooks;help;sign' {
            break
        }
        'wm-hooks;help;verify-signature' {
            break
        }
        'wm-hooks;help;deliver' {
            break
        }
        'wm-hooks;help;store' {
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Print the counts: stored, pending, retrying, dead, delivered, duplicates, lost')
            [CompletionResult]::new('dead', 'dead', [CompletionResultType]::ParameterValue, 'List the dead letters with their last error')
            [CompletionResult]::new('redrive', 'redrive', [CompletionResultType]::ParameterValue, 'Put dead letters back for delivery (all, or those named), attempts reset')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Remove delivered entries received more than --older-than ago')
            break
        }
        'wm-hooks;help;store;stats' {
            break
        }
        'wm-hooks;help;store;dead' {
            break
        }
        'wm-hooks;help;store;redrive' {
            break
        }
        'wm-hooks;help;store;prune' {
            break
        }
        'wm-hooks;help;events' {
            break
        }
        'wm-hooks;help;completions' {
            break
        }
        'wm-hooks;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
