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
complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -f -a "events" -d 'List the event types, or print one\'s sample payload'
complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c wm-hooks -n "__fish_wm_hooks_needs_command" -f -a "configure" -d 'Register the webhook with the StartMessaging API (PUT /v1/webhooks); asks for missing values on a terminal, never in CI'
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
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -l url -d 'The webhook URL the platform will call; must be https://' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -l secret -d 'The webhook secret [env: WM_HOOKS_SECRET]. Visible to other users in the process list: prefer the variable or --secret-file' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -l secret-file -d 'Read the secret from a file, as raw bytes; exactly one trailing newline (LF or CRLF) is removed' -r -F
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -l events -d 'Events to subscribe to, comma-separated or repeated [default: all three]' -r -f -a "message.received\t'An incoming message from a WhatsApp user'
message.status\t'A delivery status update for a message you sent'
template.status\t'A template was approved or rejected'"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -l api-key -d 'The StartMessaging API key [env: WM_HOOKS_API_KEY]. Visible to other users in the process list: prefer the variable' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -l api-url -d 'The API base URL [env: WM_HOOKS_API_URL] [default: https://api.startmessaging.com]. Plain http:// only for a local stand-in (localhost, 127.0.0.1, ::1)' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -l timeout -d 'How long one request may take before it is retried' -r
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -l color -d 'When to colour output: auto colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -l generate-secret -d 'Generate a new secret (32 random bytes, hex) and show it once after saving'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -l dry-run -d 'Print the request as a curl command, key and secret masked, and send nothing'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -s y -l yes -d 'Do not ask for confirmation before sending'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -l json -d 'Print the API\'s JSON answer on stdout'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -s q -l quiet -d 'Print less on stderr (errors still show)'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -s v -l verbose -d 'Print more on stderr'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand configure" -s V -l version -d 'Print version'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and not __fish_seen_subcommand_from sign verify-signature events completions configure help" -f -a "sign" -d 'Print the X-Signature-256 value (sha256=<hex>) for a payload'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and not __fish_seen_subcommand_from sign verify-signature events completions configure help" -f -a "verify-signature" -d 'Check a signature against a payload: exit 0 valid, 1 invalid, 2 bad input'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and not __fish_seen_subcommand_from sign verify-signature events completions configure help" -f -a "events" -d 'List the event types, or print one\'s sample payload'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and not __fish_seen_subcommand_from sign verify-signature events completions configure help" -f -a "completions" -d 'Print a shell completion script'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and not __fish_seen_subcommand_from sign verify-signature events completions configure help" -f -a "configure" -d 'Register the webhook with the StartMessaging API (PUT /v1/webhooks); asks for missing values on a terminal, never in CI'
complete -c wm-hooks -n "__fish_wm_hooks_using_subcommand help; and not __fish_seen_subcommand_from sign verify-signature events completions configure help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
