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
complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -f -a "sign" -d 'Print the X-Signature-256 value (sha256=<hex>) for a payload'
complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -f -a "verify-signature" -d 'Check a signature against a payload: exit 0 valid, 1 invalid, 2 bad input'
complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -f -a "listen" -d 'Run a local webhook receiver that verifies and shows every delivery'
complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -f -a "events" -d 'List the event types, or print one\'s sample payload'
complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand sign" -l secret -d 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand sign" -l secret-file -d 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand sign" -l payload-file -d 'The payload to sign, read as raw bytes (stdin when absent or -)' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand sign" -l color -d 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand sign" -s q -l quiet -d 'Print less on stderr (errors still show)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand sign" -s v -l verbose -d 'Print more on stderr'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand sign" -s h -l help -d 'Print help'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand sign" -s V -l version -d 'Print version'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify-signature" -l signature -d 'The header value to check: sha256= and 64 hex digits (either case)' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify-signature" -l secret -d 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify-signature" -l secret-file -d 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify-signature" -l payload-file -d 'The payload, read as raw bytes (stdin when absent or -)' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify-signature" -l color -d 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify-signature" -s q -l quiet -d 'Print less on stderr (errors still show)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify-signature" -s v -l verbose -d 'Print more on stderr'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify-signature" -s h -l help -d 'Print help'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand verify-signature" -s V -l version -d 'Print version'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l host -d 'The address to listen on; anything but loopback is reachable from other machines' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l port -d 'The port to listen on; 0 picks a free one' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l path -d 'The path that takes webhooks; other paths get 404' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l secret -d 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l secret-file -d 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l signature-header -d 'The header that carries the signature (any case)' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l max-body -d 'The largest body accepted, in bytes or with a unit (64KiB, 1MiB, 10MB); larger gets 413' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l record -d 'Append one JSON record line per request to FILE (never truncated)' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l respond-status -d 'Answer POSTs with a valid signature with this status (to test a sender\'s retries)' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l respond-delay -d 'Wait this long before answering POSTs with a valid signature (150ms, 2s, 1m)' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l forward-to -d 'Forward each POST with a valid signature to your app, re-signed, and answer with its status' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l forward-secret -d 'Sign forwarded requests with this secret instead of the listener\'s [env: WM_HOOKS_FORWARD_SECRET]; prefer the variable or --forward-secret-file' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l forward-secret-file -d 'Read the forwarding secret from a file (one trailing newline is removed)' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l forward-timeout -d 'How long to wait for the app\'s answer before answering 504' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l read-timeout -d 'How long a client may take to send a request\'s headers, and then its body; an idle keep-alive connection is closed after it too' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l max-connections -d 'Open connections served at once; more are closed as they arrive' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l color -d 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -l json -d 'Print one JSON record line per request on stdout instead of the pretty output'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -s q -l quiet -d 'Print less on stderr (errors still show)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -s v -l verbose -d 'Print more on stderr'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand listen" -s V -l version -d 'Print version'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand events" -l color -d 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)' -r -f -a "auto\t''
always\t''
never\t''"
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
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and not __fish_seen_subcommand_from sign verify-signature listen events completions help" -f -a "sign" -d 'Print the X-Signature-256 value (sha256=<hex>) for a payload'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and not __fish_seen_subcommand_from sign verify-signature listen events completions help" -f -a "verify-signature" -d 'Check a signature against a payload: exit 0 valid, 1 invalid, 2 bad input'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and not __fish_seen_subcommand_from sign verify-signature listen events completions help" -f -a "listen" -d 'Run a local webhook receiver that verifies and shows every delivery'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and not __fish_seen_subcommand_from sign verify-signature listen events completions help" -f -a "events" -d 'List the event types, or print one\'s sample payload'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and not __fish_seen_subcommand_from sign verify-signature listen events completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and not __fish_seen_subcommand_from sign verify-signature listen events completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
