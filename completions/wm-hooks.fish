# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_wm_hooks_global_optspecs
    string join \n color= q/quiet v/verbose h/help V/version
end

function __fish_wm_hooks_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_wm_hooks_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_wm_hooks_using_subcommand
    set -l cmd (__fish_wm_hooks_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -l color -d 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -s q -l quiet -d 'Print less on stderr (errors still show)'
complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -s v -l verbose -d 'Print more on stderr'
complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -s V -l version -d 'Print version'
complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -f -a "listen" -d 'Run a local webhook receiver that verifies and shows every delivery'
complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -f -a "ingest" -d 'The production receiver: verify, dedupe, store durably, and only then answer 2xx'
complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -f -a "send-test" -d 'Play the platform: sign sample events and POST them to your endpoint'
complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -f -a "verify" -d 'Run the platform\'s handshake GET against your endpoint and check the answer'
complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -f -a "check" -d 'Play the platform\'s whole contract against your endpoint (handshake, signatures, duplicates, tolerance, the 5 s budget) and print a report card'
complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -f -a "configure" -d 'Register the webhook with the StartMessaging API (PUT /v1/webhooks); asks for missing values on a terminal, never in CI'
complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -f -a "sign" -d 'Print the X-Signature-256 value (sha256=<hex>) for a payload'
complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -f -a "verify-signature" -d 'Check a signature against a payload: exit 0 valid, 1 invalid, 2 bad input'
complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -f -a "deliver" -d 'Move stored events to your app, at least once: re-signed, retried on the platform\'s schedule, then dead letters'
complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -f -a "store" -d 'Inspect a store: counts, dead letters, putting them back for delivery, pruning'
complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -f -a "events" -d 'List the event types, or print one\'s sample payload'
complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l color -d 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l host -d 'The address to listen on; anything but loopback is reachable from other machines' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l port -d 'The port to listen on; 0 picks a free one' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l path -d 'The path that takes webhooks; other paths get 404' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l secret -d 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l secret-file -d 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l verify-token -d 'The handshake\'s hub.verify_token, when it is not the webhook secret (Meta and its libraries keep the two apart) [env: WM_HOOKS_VERIFY_TOKEN] [default: the webhook secret]; prefer the variable or --verify-token-file' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l verify-token-file -d 'Read the verify token from a file (one trailing newline is removed)' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l profile -d 'The platform: startmessaging (the API document\'s envelope, X-Signature-256) or meta (the WhatsApp Cloud API\'s: entry[].changes[].value, X-Hub-Signature-256, non-ASCII sent as \\uXXXX) [env: WM_HOOKS_PROFILE] [default: startmessaging]' -r -f -a "startmessaging\t'the StartMessaging API: {event, timestamp, data}, X-Signature-256'
meta\t'Meta\'s WhatsApp Cloud API: entry[].changes[].value, X-Hub-Signature-256, batches'"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l signature-header -d 'The header that carries the signature, in any case [default: the profile\'s: X-Signature-256, or X-Hub-Signature-256 under meta]. Both envelopes are recognised whatever the profile' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l max-body -d 'The largest body accepted, in bytes or with a unit (64KiB, 1MiB, 10MB); larger gets 413' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l read-timeout -d 'How long a client may take to send a request\'s headers, and then its body; an idle keep-alive connection is closed after it too' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l max-connections -d 'Open connections served at once; at the limit, a new connection makes the longest-idle one close (never one with a request in service), and is itself closed on arrival only when every connection has a request in service' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l record -d 'Append one JSON record line per request to FILE (never truncated)' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l respond-status -d 'Answer POSTs with a valid signature with this status (to test a sender\'s retries)' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l respond-delay -d 'Wait this long before answering POSTs with a valid signature (150ms, 2s, 1m)' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l forward-to -d 'Forward each POST with a valid signature to your app, re-signed, and answer with its status' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l forward-secret -d 'Sign forwarded requests with this secret instead of the listener\'s [env: WM_HOOKS_FORWARD_SECRET]; prefer the variable or --forward-secret-file' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l forward-secret-file -d 'Read the forwarding secret from a file (one trailing newline is removed)' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l forward-timeout -d 'How long to wait for the app\'s answer before answering 504' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -s q -l quiet -d 'Print less on stderr (errors still show)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -s v -l verbose -d 'Print more on stderr'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l new-secret -d 'Generate a fresh secret instead of reusing the saved one, and save it in its place ($XDG_STATE_HOME/wm-hooks/secret, else ~/.local/state/wm-hooks/secret)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l json -d 'Print one JSON record line per request on stdout instead of the pretty output'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -s V -l version -d 'Print version'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand ingest" -l color -d 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand ingest" -l host -d 'The address to listen on; anything but loopback is reachable from other machines' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand ingest" -l port -d 'The port to listen on; 0 picks a free one' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand ingest" -l path -d 'The path that takes webhooks; other paths get 404' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand ingest" -l secret -d 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand ingest" -l secret-file -d 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand ingest" -l verify-token -d 'The handshake\'s hub.verify_token, when it is not the webhook secret (Meta and its libraries keep the two apart) [env: WM_HOOKS_VERIFY_TOKEN] [default: the webhook secret]; prefer the variable or --verify-token-file' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand ingest" -l verify-token-file -d 'Read the verify token from a file (one trailing newline is removed)' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand ingest" -l profile -d 'The platform: startmessaging (the API document\'s envelope, X-Signature-256) or meta (the WhatsApp Cloud API\'s: entry[].changes[].value, X-Hub-Signature-256, non-ASCII sent as \\uXXXX) [env: WM_HOOKS_PROFILE] [default: startmessaging]' -r -f -a "startmessaging\t'the StartMessaging API: {event, timestamp, data}, X-Signature-256'
meta\t'Meta\'s WhatsApp Cloud API: entry[].changes[].value, X-Hub-Signature-256, batches'"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand ingest" -l signature-header -d 'The header that carries the signature, in any case [default: the profile\'s: X-Signature-256, or X-Hub-Signature-256 under meta]. Both envelopes are recognised whatever the profile' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand ingest" -l max-body -d 'The largest body accepted, in bytes or with a unit (64KiB, 1MiB, 10MB); larger gets 413' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand ingest" -l read-timeout -d 'How long a client may take to send a request\'s headers, and then its body; an idle keep-alive connection is closed after it too' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand ingest" -l max-connections -d 'Open connections served at once; at the limit, a new connection makes the longest-idle one close (never one with a request in service), and is itself closed on arrival only when every connection has a request in service' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand ingest" -l previous-secret -d 'Also accept this secret, during a rotation [env: WM_HOOKS_PREVIOUS_SECRET]; prefer the variable or --previous-secret-file' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand ingest" -l previous-secret-file -d 'Read the previous secret from a file (one trailing newline is removed)' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand ingest" -l store -d 'The store: sqlite:PATH, redis://HOST:PORT/DB (rediss:// for TLS) or redis+unix:///PATH/redis.sock?db=N, with ?stream=NAME [env: WM_HOOKS_STORE] [default: sqlite:wm-hooks.db]' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand ingest" -l tls-cert -d 'Serve HTTPS with this certificate chain (PEM, leaf first); without it, plain HTTP for a TLS proxy in front' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand ingest" -l tls-key -d 'The private key of --tls-cert (PEM)' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand ingest" -l dedupe-window -d 'An event stored within this long is answered 200 and not stored again (the platform retries for 24h)' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand ingest" -l metrics -d 'Serve Prometheus text at http://ADDR/metrics and a health check at /healthz (200 while the store answers), such as 127.0.0.1:9100' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand ingest" -s q -l quiet -d 'Print less on stderr (errors still show)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand ingest" -s v -l verbose -d 'Print more on stderr'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand ingest" -l json -d 'Print one JSON record line per request on stdout, with the store\'s entry id'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand ingest" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand ingest" -s V -l version -d 'Print version'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l color -d 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l to -d 'The receiver\'s URL (the default is where `wm-hooks listen` listens)' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l secret -d 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l secret-file -d 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l set -d 'Set a field of the sample before signing: PATH is dotted (data.text.body), VALUE is JSON when it parses as JSON, else a string. The field must exist in one of the samples sent. Repeatable' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l set-new -d 'Like --set, but adds the field (and missing parent objects) when the sample lacks it; applied after every --set. Repeatable' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l type -d 'The message type of message.received [default: text]' -r -f -a "text\t'a text message'
image\t'a photo with a caption'
video\t'a video with a caption'
audio\t'a voice note (audio with voice: true)'
document\t'a PDF with a file name and a caption'
sticker\t'a WebP sticker'
location\t'a shared location with a name and an address'
contacts\t'a shared contact card'
reaction\t'an emoji reaction to an earlier message'
button\t'a tap on a template\'s quick-reply button'
interactive\t'a reply to an interactive message (--reply)'
order\t'an order from the catalogue'
system\t'a system notice: the user changed number'
unsupported\t'a message type the platform cannot deliver'"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l reply -d 'The reply of an interactive message (--type interactive) [default: button]' -r -f -a "button\t'a reply button (button_reply)'
list\t'a list row (list_reply)'
flow\t'a completed WhatsApp Flow (nfm_reply)'"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l status -d 'The status of message.status; failed carries an errors array [default: delivered]' -r -f -a "sent\t''
delivered\t''
read\t''
played\t''
failed\t''"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l template-status -d 'The update of template.status; rejected, paused and disabled carry a reason [default: approved]' -r -f -a "approved\t'the template may be sent'
rejected\t'review rejected it, with a reason'
paused\t'paused for low quality ratings'
disabled\t'disabled after repeated pauses'"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l text -d 'The message text of message.received (sets data.text.body, or the first message\'s text.body under meta)' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l profile -d 'The platform: startmessaging (the API document\'s envelope, X-Signature-256) or meta (the WhatsApp Cloud API\'s: entry[].changes[].value, X-Hub-Signature-256, non-ASCII sent as \\uXXXX) [env: WM_HOOKS_PROFILE] [default: startmessaging]' -r -f -a "startmessaging\t'the StartMessaging API: {event, timestamp, data}, X-Signature-256'
meta\t'Meta\'s WhatsApp Cloud API: entry[].changes[].value, X-Hub-Signature-256, batches'"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l batch -d 'Pack N updates (the events given, in turn) into one signed Meta delivery, spread over entries, changes and arrays as Meta batches them (needs --profile meta)' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l payload-file -d 'Send this body byte for byte instead of a sample (- for stdin), at most 16 MiB. Repeatable: each file is one delivery, in order' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l payload-dir -d 'Send every *.json file in DIR (each at most 16 MiB), byte for byte, in name order (a library\'s fixture folder); after any --payload-file' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l replay -d 'Send the bodies of the POSTs in a `listen --record` file, byte for byte, in order, each signed anew with the current secret (a file of at most 256 MiB, lines of at most 64 MiB, bodies of at most 16 MiB)' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l signature -d 'The signature to send: a forgery (invalid) or none (missing) must be refused with a 4xx' -r -f -a "valid\t'`sha256=` HMAC of the body with the secret, as the platform sends'
invalid\t'Well-formed but made with another key: a forgery to be refused'
missing\t'No signature header at all'"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l signature-header -d 'The header that carries the signature [default: the profile\'s: X-Signature-256, or X-Hub-Signature-256 under meta]' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -s H -l header -d 'Add a header to every request; it replaces a default header of the same name, but not the signature header (--signature chooses what it carries). Repeatable. @FILE reads one `Name: value` a line from FILE, so a key need not be on the command line' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l duplicate -d 'Deliver each event N times, byte for byte (the same message_id), as the platform may' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l retry-scale -d 'Multiply the retry schedule by F: 0.001 turns 30s into 30ms' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l count -d 'Send N events (samples get fresh ids; a payload file or a replay repeats) and print a summary with a progress bar on a terminal' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l concurrency -d 'Send over C keep-alive connections at once' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l timeout -d 'The answer budget (the platform\'s is 5s): a slower answer is a failure, even a 2xx; after twice as long, no answer is a timeout. Connecting must also succeed within it. Examples: 5s, 300ms' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -s q -l quiet -d 'Print less on stderr (errors still show)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -s v -l verbose -d 'Print more on stderr'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l retry -d 'Retry a failed delivery (non-2xx, too slow, no answer) on the platform\'s schedule: 30s, 2m, 15m, 1h, 6h'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l insecure -d 'Accept any TLS certificate, such as a self-signed one on your machine. The platform always checks certificates'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l dry-run -d 'Print the requests (body, headers, an equivalent curl command) and send nothing'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -l json -d 'Print one JSON line per request and a summary line on stdout (the report format of check and verify; the text summary goes to stderr)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -s V -l version -d 'Print version'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify" -l color -d 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify" -l url -d 'The endpoint\'s URL (the default is where `wm-hooks listen` listens)' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify" -l secret -d 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify" -l secret-file -d 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify" -l verify-token -d 'The handshake\'s hub.verify_token, when it is not the webhook secret (Meta and its libraries keep the two apart) [env: WM_HOOKS_VERIFY_TOKEN] [default: the webhook secret]; prefer the variable or --verify-token-file' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify" -l verify-token-file -d 'Read the verify token from a file (one trailing newline is removed)' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify" -l profile -d 'The platform: startmessaging (the API document\'s envelope, X-Signature-256) or meta (the WhatsApp Cloud API\'s: entry[].changes[].value, X-Hub-Signature-256, non-ASCII sent as \\uXXXX) [env: WM_HOOKS_PROFILE] [default: startmessaging]' -r -f -a "startmessaging\t'the StartMessaging API: {event, timestamp, data}, X-Signature-256'
meta\t'Meta\'s WhatsApp Cloud API: entry[].changes[].value, X-Hub-Signature-256, batches'"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify" -l challenge -d 'The challenge to send, up to 256 bytes [default: random]' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify" -l timeout -d 'The answer budget (the platform\'s is 5s): a slower answer is a failure, even a 2xx; after twice as long, no answer is a timeout. Connecting must also succeed within it. Examples: 5s, 300ms' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify" -s q -l quiet -d 'Print less on stderr (errors still show)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify" -s v -l verbose -d 'Print more on stderr'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify" -l no-negative -d 'Skip the negative probes (a wrong token and a wrong hub.mode must not get the challenge back)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify" -l insecure -d 'Accept any TLS certificate, such as a self-signed one on your machine. The platform always checks certificates'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify" -l json -d 'Print one JSON line per check and a summary line on stdout (the report format of check and send-test)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify" -s V -l version -d 'Print version'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand check" -l color -d 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand check" -l url -d 'The endpoint\'s URL (the default is where `wm-hooks listen` listens)' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand check" -l secret -d 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand check" -l secret-file -d 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand check" -l verify-token -d 'The handshake\'s hub.verify_token, when it is not the webhook secret (Meta and its libraries keep the two apart) [env: WM_HOOKS_VERIFY_TOKEN] [default: the webhook secret]; prefer the variable or --verify-token-file' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand check" -l verify-token-file -d 'Read the verify token from a file (one trailing newline is removed)' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand check" -l profile -d 'The platform: startmessaging (the API document\'s envelope, X-Signature-256) or meta (the WhatsApp Cloud API\'s: entry[].changes[].value, X-Hub-Signature-256, non-ASCII sent as \\uXXXX) [env: WM_HOOKS_PROFILE] [default: startmessaging]' -r -f -a "startmessaging\t'the StartMessaging API: {event, timestamp, data}, X-Signature-256'
meta\t'Meta\'s WhatsApp Cloud API: entry[].changes[].value, X-Hub-Signature-256, batches'"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand check" -l signature-header -d 'The header that carries the signature [default: the profile\'s: X-Signature-256, or X-Hub-Signature-256 under meta]' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand check" -s H -l header -d 'Add a header to every request, the handshake\'s GETs included (a gateway\'s key, X-GitHub-Event); it replaces a default header of the same name. Repeatable. @FILE reads one `Name: value` a line from FILE, so a key need not be on the command line' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand check" -l only -d 'Run only these checks: names (see --list) or groups (handshake, signature, signature.valid, tolerance), comma-separated or repeated' -r -f -a "handshake\t'every handshake.* check'
handshake.challenge\t'the platform\'s GET with the right token gets 200 and exactly the challenge: without it the webhook cannot be saved'
handshake.wrong-token\t'a wrong hub.verify_token does not get the challenge back: otherwise anyone could register your endpoint as their webhook'
handshake.wrong-mode\t'a hub.mode other than subscribe does not get the challenge back'
signature\t'every signature.* check'
signature.valid\t'every signature.valid.* check'
signature.valid.message-received\t'a correctly signed message.received gets 2xx'
signature.valid.message-status\t'a correctly signed message.status gets 2xx'
signature.valid.template-status\t'a correctly signed template.status gets 2xx'
signature.missing\t'a delivery without a signature header gets 4xx: skipping the check when the header is absent lets anyone post events'
signature.wrong-secret\t'a well-formed signature made with another secret gets 4xx'
signature.tampered-body\t'a correctly signed body with one byte changed afterwards gets 4xx: the HMAC must cover the raw body of this very request'
signature.empty\t'`sha256=` with no digest gets 4xx: a comparison that stops at the shorter value accepts it'
signature.sha1-prefix\t'the right digest behind `sha1=` gets 4xx: a receiver that strips any prefix accepts another algorithm\'s name'
signature.uppercase-hex\t'information: whether the right digest in upper-case hex is accepted. The platform sends lower case, so either answer is fine'
idempotency\t'the same message.received delivered three times, byte for byte, gets 2xx each time: the platform may deliver twice, and an error on a repeat starts a retry storm'
tolerance\t'every tolerance.* check'
tolerance.unknown-event\t'a correctly signed event of a type the platform may add later gets 2xx'
tolerance.unseen-status\t'a status update for a message id the receiver never saw gets 2xx'
tolerance.large-body\t'a correctly signed 512 KiB body gets 2xx: body-size limits such as Express\'s 100 KB default refuse it'
tolerance.non-ascii\t'a correctly signed text with emoji, accents and \\u escapes gets 2xx: the HMAC must be computed over the raw bytes, not over re-serialised JSON'
batch\t'one delivery holding several entries, changes, messages and statuses (as Meta batches them) gets 2xx (meta profile only)'
budget\t'every correctly signed delivery is answered within the budget (the platform\'s 5 s): slower answers count as failures and are retried'"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand check" -l skip -d 'Do not run these checks: names or groups, comma-separated or repeated' -r -f -a "handshake\t'every handshake.* check'
handshake.challenge\t'the platform\'s GET with the right token gets 200 and exactly the challenge: without it the webhook cannot be saved'
handshake.wrong-token\t'a wrong hub.verify_token does not get the challenge back: otherwise anyone could register your endpoint as their webhook'
handshake.wrong-mode\t'a hub.mode other than subscribe does not get the challenge back'
signature\t'every signature.* check'
signature.valid\t'every signature.valid.* check'
signature.valid.message-received\t'a correctly signed message.received gets 2xx'
signature.valid.message-status\t'a correctly signed message.status gets 2xx'
signature.valid.template-status\t'a correctly signed template.status gets 2xx'
signature.missing\t'a delivery without a signature header gets 4xx: skipping the check when the header is absent lets anyone post events'
signature.wrong-secret\t'a well-formed signature made with another secret gets 4xx'
signature.tampered-body\t'a correctly signed body with one byte changed afterwards gets 4xx: the HMAC must cover the raw body of this very request'
signature.empty\t'`sha256=` with no digest gets 4xx: a comparison that stops at the shorter value accepts it'
signature.sha1-prefix\t'the right digest behind `sha1=` gets 4xx: a receiver that strips any prefix accepts another algorithm\'s name'
signature.uppercase-hex\t'information: whether the right digest in upper-case hex is accepted. The platform sends lower case, so either answer is fine'
idempotency\t'the same message.received delivered three times, byte for byte, gets 2xx each time: the platform may deliver twice, and an error on a repeat starts a retry storm'
tolerance\t'every tolerance.* check'
tolerance.unknown-event\t'a correctly signed event of a type the platform may add later gets 2xx'
tolerance.unseen-status\t'a status update for a message id the receiver never saw gets 2xx'
tolerance.large-body\t'a correctly signed 512 KiB body gets 2xx: body-size limits such as Express\'s 100 KB default refuse it'
tolerance.non-ascii\t'a correctly signed text with emoji, accents and \\u escapes gets 2xx: the HMAC must be computed over the raw bytes, not over re-serialised JSON'
batch\t'one delivery holding several entries, changes, messages and statuses (as Meta batches them) gets 2xx (meta profile only)'
budget\t'every correctly signed delivery is answered within the budget (the platform\'s 5 s): slower answers count as failures and are retried'"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand check" -l timeout -d 'The answer budget (the platform\'s is 5s): a slower answer is a failure, even a 2xx; after twice as long, no answer is a timeout. Connecting must also succeed within it. Examples: 5s, 300ms' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand check" -l junit -d 'Also write the results as JUnit XML to FILE, for CI test reports' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand check" -s q -l quiet -d 'Print less on stderr (errors still show)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand check" -s v -l verbose -d 'Print more on stderr'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand check" -l insecure -d 'Accept any TLS certificate, such as a self-signed one on your machine. The platform always checks certificates'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand check" -l json -d 'Print one JSON line per check and a summary line on stdout instead of the card (the report format of verify and send-test)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand check" -l list -d 'List the (selected) checks and what each is for; send nothing'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand check" -s V -l version -d 'Print version'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -l color -d 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -l url -d 'The webhook URL the platform will call; must be https://' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -l secret -d 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -l secret-file -d 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -l save-secret -d 'Write the registered secret to FILE (mode 0600) once the API has saved it; an existing FILE is refused unless --force. --json then names FILE' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -l events -d 'Events to subscribe to, comma-separated or repeated [default: all three]' -r -f -a "message.received\t'an incoming message from a WhatsApp user'
message.status\t'a sent message became sent, delivered, read, played or failed'
template.status\t'a message template was approved, rejected, paused or disabled'"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -l api-key -d 'The StartMessaging API key [env: WM_HOOKS_API_KEY]. Visible to other users in the process list: prefer the variable' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -l api-url -d 'The API base URL [env: WM_HOOKS_API_URL] [default: https://api.startmessaging.com]. Plain http:// only for a local stand-in (localhost, 127.0.0.1, ::1)' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -l timeout -d 'How long one request may take before it is retried' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -s q -l quiet -d 'Print less on stderr (errors still show)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -s v -l verbose -d 'Print more on stderr'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -l generate-secret -d 'Generate a new secret (32 random bytes, hex) and show it once after saving (with --save-secret, write it there instead of showing it)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -l force -d 'Let --save-secret replace an existing file'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -l verify-first -d 'Run the platform\'s handshake (as `wm-hooks verify` does) against the URL first, and register nothing when it would fail the platform\'s "Save & Verify"'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -l dry-run -d 'Print the request as a curl command, key and secret masked, and send nothing'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -s y -l yes -d 'Do not ask for confirmation before sending'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -l json -d 'Print the API\'s JSON answer on stdout'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -s V -l version -d 'Print version'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand sign" -l color -d 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand sign" -l secret -d 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand sign" -l secret-file -d 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand sign" -l payload-file -d 'The payload to sign, read as raw bytes, at most 64 MiB (stdin when absent or -)' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand sign" -s q -l quiet -d 'Print less on stderr (errors still show)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand sign" -s v -l verbose -d 'Print more on stderr'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand sign" -s h -l help -d 'Print help'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand sign" -s V -l version -d 'Print version'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify-signature" -l color -d 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify-signature" -l signature -d 'The header value to check: sha256= and 64 hex digits (either case)' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify-signature" -l secret -d 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify-signature" -l secret-file -d 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify-signature" -l payload-file -d 'The payload, read as raw bytes, at most 64 MiB (stdin when absent or -)' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify-signature" -s q -l quiet -d 'Print less on stderr (errors still show)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify-signature" -s v -l verbose -d 'Print more on stderr'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify-signature" -s h -l help -d 'Print help'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify-signature" -s V -l version -d 'Print version'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand deliver" -l color -d 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand deliver" -l from -d 'The store to deliver from: sqlite:PATH or redis://HOST:PORT/DB?stream=NAME [env: WM_HOOKS_STORE] [default: sqlite:wm-hooks.db]' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand deliver" -l to -d 'Where events go: URL for every event, or EVENT=URL (repeatable) to route one event type; an event no route takes becomes a dead letter' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand deliver" -l secret -d 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand deliver" -l secret-file -d 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand deliver" -l forward-secret -d 'Sign deliveries with this secret instead of the webhook secret [env: WM_HOOKS_FORWARD_SECRET]; prefer the variable or --forward-secret-file' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand deliver" -l forward-secret-file -d 'Read the signing secret from a file (one trailing newline is removed)' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand deliver" -l signature-header -d 'The header that carries the signature' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand deliver" -l group -d 'The Redis consumer group (ignored for SQLite)' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand deliver" -l consumer -d 'This process\'s name in the group [default: HOST-PID]' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand deliver" -l claim-after -d 'Claim what another consumer holds after this long without an answer (it died)' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand deliver" -l concurrency -d 'Deliveries in flight at once' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand deliver" -l timeout -d 'How long the app may take to answer one delivery' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand deliver" -l retry-schedule -d 'The waits between attempts, comma-separated; after the last, a dead letter' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand deliver" -l retry-scale -d 'Multiply the retry schedule by F: 0.001 turns 30s into 30ms' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand deliver" -s q -l quiet -d 'Print less on stderr (errors still show)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand deliver" -s v -l verbose -d 'Print more on stderr'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand deliver" -l json -d 'Print one JSON line per attempt on stdout'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand deliver" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand deliver" -s V -l version -d 'Print version'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and not __fish_seen_subcommand_from stats dead redrive prune help" -l color -d 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and not __fish_seen_subcommand_from stats dead redrive prune help" -s q -l quiet -d 'Print less on stderr (errors still show)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and not __fish_seen_subcommand_from stats dead redrive prune help" -s v -l verbose -d 'Print more on stderr'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and not __fish_seen_subcommand_from stats dead redrive prune help" -s h -l help -d 'Print help'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and not __fish_seen_subcommand_from stats dead redrive prune help" -s V -l version -d 'Print version'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and not __fish_seen_subcommand_from stats dead redrive prune help" -f -a "stats" -d 'Print the counts: stored, pending, retrying, dead, delivered, duplicates, lost'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and not __fish_seen_subcommand_from stats dead redrive prune help" -f -a "dead" -d 'List the dead letters with their last error'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and not __fish_seen_subcommand_from stats dead redrive prune help" -f -a "redrive" -d 'Put dead letters back for delivery (all, or those named), attempts reset'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and not __fish_seen_subcommand_from stats dead redrive prune help" -f -a "prune" -d 'Remove delivered entries received more than --older-than ago'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and not __fish_seen_subcommand_from stats dead redrive prune help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from stats" -l store -d 'The store: sqlite:PATH, redis://HOST:PORT/DB (rediss:// for TLS) or redis+unix:///PATH/redis.sock?db=N, with ?stream=NAME [env: WM_HOOKS_STORE] [default: sqlite:wm-hooks.db]' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from stats" -l group -d 'The Redis consumer group whose deliveries are counted (ignored for SQLite)' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from stats" -l color -d 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from stats" -l json -d 'Print one JSON object on stdout'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from stats" -s q -l quiet -d 'Print less on stderr (errors still show)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from stats" -s v -l verbose -d 'Print more on stderr'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from stats" -s h -l help -d 'Print help'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from stats" -s V -l version -d 'Print version'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from dead" -l store -d 'The store: sqlite:PATH, redis://HOST:PORT/DB (rediss:// for TLS) or redis+unix:///PATH/redis.sock?db=N, with ?stream=NAME [env: WM_HOOKS_STORE] [default: sqlite:wm-hooks.db]' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from dead" -l group -d 'The Redis consumer group whose deliveries are counted (ignored for SQLite)' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from dead" -l limit -d 'List at most N, in the order their events were stored' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from dead" -l color -d 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from dead" -l json -d 'Print one JSON object per dead letter on stdout'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from dead" -s q -l quiet -d 'Print less on stderr (errors still show)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from dead" -s v -l verbose -d 'Print more on stderr'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from dead" -s h -l help -d 'Print help'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from dead" -s V -l version -d 'Print version'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from redrive" -l store -d 'The store: sqlite:PATH, redis://HOST:PORT/DB (rediss:// for TLS) or redis+unix:///PATH/redis.sock?db=N, with ?stream=NAME [env: WM_HOOKS_STORE] [default: sqlite:wm-hooks.db]' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from redrive" -l group -d 'The Redis consumer group whose deliveries are counted (ignored for SQLite)' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from redrive" -l color -d 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from redrive" -l all -d 'Put every dead letter back'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from redrive" -s q -l quiet -d 'Print less on stderr (errors still show)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from redrive" -s v -l verbose -d 'Print more on stderr'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from redrive" -s h -l help -d 'Print help'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from redrive" -s V -l version -d 'Print version'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from prune" -l store -d 'The store: sqlite:PATH, redis://HOST:PORT/DB (rediss:// for TLS) or redis+unix:///PATH/redis.sock?db=N, with ?stream=NAME [env: WM_HOOKS_STORE] [default: sqlite:wm-hooks.db]' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from prune" -l group -d 'The Redis consumer group whose deliveries are counted (ignored for SQLite)' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from prune" -l older-than -d 'Remove what was delivered and received longer ago than this (24h, 7d)' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from prune" -l color -d 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from prune" -l json -d 'Print one JSON object on stdout'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from prune" -s q -l quiet -d 'Print less on stderr (errors still show)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from prune" -s v -l verbose -d 'Print more on stderr'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "stats" -d 'Print the counts: stored, pending, retrying, dead, delivered, duplicates, lost'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "dead" -d 'List the dead letters with their last error'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "redrive" -d 'Put dead letters back for delivery (all, or those named), attempts reset'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove delivered entries received more than --older-than ago'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand events" -l color -d 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand events" -l type -d 'The message type of message.received [default: text]' -r -f -a "text\t'a text message'
image\t'a photo with a caption'
video\t'a video with a caption'
audio\t'a voice note (audio with voice: true)'
document\t'a PDF with a file name and a caption'
sticker\t'a WebP sticker'
location\t'a shared location with a name and an address'
contacts\t'a shared contact card'
reaction\t'an emoji reaction to an earlier message'
button\t'a tap on a template\'s quick-reply button'
interactive\t'a reply to an interactive message (--reply)'
order\t'an order from the catalogue'
system\t'a system notice: the user changed number'
unsupported\t'a message type the platform cannot deliver'"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand events" -l reply -d 'The reply of an interactive message (--type interactive) [default: button]' -r -f -a "button\t'a reply button (button_reply)'
list\t'a list row (list_reply)'
flow\t'a completed WhatsApp Flow (nfm_reply)'"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand events" -l status -d 'The status of message.status; failed carries an errors array [default: delivered]' -r -f -a "sent\t''
delivered\t''
read\t''
played\t''
failed\t''"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand events" -l template-status -d 'The update of template.status; rejected, paused and disabled carry a reason [default: approved]' -r -f -a "approved\t'the template may be sent'
rejected\t'review rejected it, with a reason'
paused\t'paused for low quality ratings'
disabled\t'disabled after repeated pauses'"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand events" -l profile -d 'The platform: startmessaging (the API document\'s envelope, X-Signature-256) or meta (the WhatsApp Cloud API\'s: entry[].changes[].value, X-Hub-Signature-256, non-ASCII sent as \\uXXXX) [env: WM_HOOKS_PROFILE] [default: startmessaging]' -r -f -a "startmessaging\t'the StartMessaging API: {event, timestamp, data}, X-Signature-256'
meta\t'Meta\'s WhatsApp Cloud API: entry[].changes[].value, X-Hub-Signature-256, batches'"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand events" -s q -l quiet -d 'Print less on stderr (errors still show)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand events" -s v -l verbose -d 'Print more on stderr'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand events" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand events" -s V -l version -d 'Print version'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand completions" -l color -d 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand completions" -s q -l quiet -d 'Print less on stderr (errors still show)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand completions" -s v -l verbose -d 'Print more on stderr'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand completions" -s h -l help -d 'Print help'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand completions" -s V -l version -d 'Print version'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and not __fish_seen_subcommand_from listen ingest send-test verify check configure sign verify-signature deliver store events completions help" -f -a "listen" -d 'Run a local webhook receiver that verifies and shows every delivery'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and not __fish_seen_subcommand_from listen ingest send-test verify check configure sign verify-signature deliver store events completions help" -f -a "ingest" -d 'The production receiver: verify, dedupe, store durably, and only then answer 2xx'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and not __fish_seen_subcommand_from listen ingest send-test verify check configure sign verify-signature deliver store events completions help" -f -a "send-test" -d 'Play the platform: sign sample events and POST them to your endpoint'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and not __fish_seen_subcommand_from listen ingest send-test verify check configure sign verify-signature deliver store events completions help" -f -a "verify" -d 'Run the platform\'s handshake GET against your endpoint and check the answer'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and not __fish_seen_subcommand_from listen ingest send-test verify check configure sign verify-signature deliver store events completions help" -f -a "check" -d 'Play the platform\'s whole contract against your endpoint (handshake, signatures, duplicates, tolerance, the 5 s budget) and print a report card'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and not __fish_seen_subcommand_from listen ingest send-test verify check configure sign verify-signature deliver store events completions help" -f -a "configure" -d 'Register the webhook with the StartMessaging API (PUT /v1/webhooks); asks for missing values on a terminal, never in CI'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and not __fish_seen_subcommand_from listen ingest send-test verify check configure sign verify-signature deliver store events completions help" -f -a "sign" -d 'Print the X-Signature-256 value (sha256=<hex>) for a payload'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and not __fish_seen_subcommand_from listen ingest send-test verify check configure sign verify-signature deliver store events completions help" -f -a "verify-signature" -d 'Check a signature against a payload: exit 0 valid, 1 invalid, 2 bad input'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and not __fish_seen_subcommand_from listen ingest send-test verify check configure sign verify-signature deliver store events completions help" -f -a "deliver" -d 'Move stored events to your app, at least once: re-signed, retried on the platform\'s schedule, then dead letters'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and not __fish_seen_subcommand_from listen ingest send-test verify check configure sign verify-signature deliver store events completions help" -f -a "store" -d 'Inspect a store: counts, dead letters, putting them back for delivery, pruning'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and not __fish_seen_subcommand_from listen ingest send-test verify check configure sign verify-signature deliver store events completions help" -f -a "events" -d 'List the event types, or print one\'s sample payload'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and not __fish_seen_subcommand_from listen ingest send-test verify check configure sign verify-signature deliver store events completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and not __fish_seen_subcommand_from listen ingest send-test verify check configure sign verify-signature deliver store events completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and __fish_seen_subcommand_from store" -f -a "stats" -d 'Print the counts: stored, pending, retrying, dead, delivered, duplicates, lost'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and __fish_seen_subcommand_from store" -f -a "dead" -d 'List the dead letters with their last error'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and __fish_seen_subcommand_from store" -f -a "redrive" -d 'Put dead letters back for delivery (all, or those named), attempts reset'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and __fish_seen_subcommand_from store" -f -a "prune" -d 'Remove delivered entries received more than --older-than ago'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand send-test" -f -a "message.received\t'an incoming message from a WhatsApp user'
message.status\t'a sent message became sent, delivered, read, played or failed'
template.status\t'a message template was approved, rejected, paused or disabled'
all\t'One of each event'"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand events" -f -a "message.received\t'an incoming message from a WhatsApp user'
message.status\t'a sent message became sent, delivered, read, played or failed'
template.status\t'a message template was approved, rejected, paused or disabled'"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand completions" -f -a "bash
elvish
fish
powershell
zsh"
