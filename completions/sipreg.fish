# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_sipreg_global_optspecs
    string join \n h/help V/version
end

function __fish_sipreg_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_sipreg_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_sipreg_using_subcommand
    set -l cmd (__fish_sipreg_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c sipreg -n "__fish_sipreg_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sipreg -n "__fish_sipreg_needs_command" -s V -l version -d 'Print version'
complete -c sipreg -n "__fish_sipreg_needs_command" -f -a "register" -d 'Bind a contact and keep it refreshed until interrupted, then remove it (--once: bind and exit)'
complete -c sipreg -n "__fish_sipreg_needs_command" -f -a "query" -d 'List the bindings of an address-of-record (REGISTER without Contact)'
complete -c sipreg -n "__fish_sipreg_needs_command" -f -a "unregister" -d 'Remove our contact, the one given with --contact, or every binding with --all'
complete -c sipreg -n "__fish_sipreg_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c sipreg -n "__fish_sipreg_needs_command" -f -a "man" -d 'Print the man page (roff)'
complete -c sipreg -n "__fish_sipreg_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -s r -l registrar -d 'Where to send requests (default: the AOR\'s domain)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l proxy -d 'Outbound proxy, sent as a loose Route' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -s u -l user -d 'Authentication user name (default: the AOR\'s user part)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l realm -d 'Answer challenges for this realm only' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -s t -l transport -d 'Transport' -r -f -a "udp\t''
tcp\t''
tls\t''
ws\t''
wss\t''"
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l local -d 'Local address to bind: IP or IP:PORT' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l timeout -d 'Give up on a request after this long (default 32s, 64*T1)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l user-agent -d 'User-Agent header value' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -s o -l output -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -s p -l password -d 'Password on the command line (visible to ps: prefer the options below)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l password-file -d 'Read the password from the first line of this file' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l ha1 -d 'HA1 = H(user:realm:password) in hex instead of a password' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -s c -l contact -d 'Contact URI to bind (default: sip:USER@LOCAL-ADDRESS:PORT of the socket used)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -s e -l expires -d 'Requested expiry, e.g. 3600, 10m, 1h' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l for -d 'Stay registered this long, then unregister and exit' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l q -d 'Contact q value (0 to 1)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l instance -d '+sip.instance URN (RFC 5626), e.g. urn:uuid:...' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l reg-id -d 'reg-id (RFC 5626)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l json -d 'Short for --output json'
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -s v -l verbose -d '-v: events and a message ladder on stderr; -vv: whole SIP messages'
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -s q -l quiet -d 'Print nothing; only the exit status tells'
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l once -d 'Register once and exit, leaving the binding in place'
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l keep-binding -d 'Leave the binding in place when exiting'
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -s h -l help -d 'Print help'
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -s r -l registrar -d 'Where to send requests (default: the AOR\'s domain)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l proxy -d 'Outbound proxy, sent as a loose Route' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -s u -l user -d 'Authentication user name (default: the AOR\'s user part)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l realm -d 'Answer challenges for this realm only' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -s t -l transport -d 'Transport' -r -f -a "udp\t''
tcp\t''
tls\t''
ws\t''
wss\t''"
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l local -d 'Local address to bind: IP or IP:PORT' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l timeout -d 'Give up on a request after this long (default 32s, 64*T1)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l user-agent -d 'User-Agent header value' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -s o -l output -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -s p -l password -d 'Password on the command line (visible to ps: prefer the options below)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l password-file -d 'Read the password from the first line of this file' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l ha1 -d 'HA1 = H(user:realm:password) in hex instead of a password' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l json -d 'Short for --output json'
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -s v -l verbose -d '-v: events and a message ladder on stderr; -vv: whole SIP messages'
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -s q -l quiet -d 'Print nothing; only the exit status tells'
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -s h -l help -d 'Print help'
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -s r -l registrar -d 'Where to send requests (default: the AOR\'s domain)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l proxy -d 'Outbound proxy, sent as a loose Route' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -s u -l user -d 'Authentication user name (default: the AOR\'s user part)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l realm -d 'Answer challenges for this realm only' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -s t -l transport -d 'Transport' -r -f -a "udp\t''
tcp\t''
tls\t''
ws\t''
wss\t''"
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l local -d 'Local address to bind: IP or IP:PORT' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l timeout -d 'Give up on a request after this long (default 32s, 64*T1)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l user-agent -d 'User-Agent header value' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -s o -l output -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -s p -l password -d 'Password on the command line (visible to ps: prefer the options below)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l password-file -d 'Read the password from the first line of this file' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l ha1 -d 'HA1 = H(user:realm:password) in hex instead of a password' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -s c -l contact -d 'Remove this contact instead of our own' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l json -d 'Short for --output json'
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -s v -l verbose -d '-v: events and a message ladder on stderr; -vv: whole SIP messages'
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -s q -l quiet -d 'Print nothing; only the exit status tells'
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l all -d 'Remove every binding of the AOR (Contact: *, Expires: 0)'
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -s h -l help -d 'Print help'
complete -c sipreg -n "__fish_sipreg_using_subcommand completions" -s h -l help -d 'Print help'
complete -c sipreg -n "__fish_sipreg_using_subcommand man" -s h -l help -d 'Print help'
complete -c sipreg -n "__fish_sipreg_using_subcommand help; and not __fish_seen_subcommand_from register query unregister completions man help" -f -a "register" -d 'Bind a contact and keep it refreshed until interrupted, then remove it (--once: bind and exit)'
complete -c sipreg -n "__fish_sipreg_using_subcommand help; and not __fish_seen_subcommand_from register query unregister completions man help" -f -a "query" -d 'List the bindings of an address-of-record (REGISTER without Contact)'
complete -c sipreg -n "__fish_sipreg_using_subcommand help; and not __fish_seen_subcommand_from register query unregister completions man help" -f -a "unregister" -d 'Remove our contact, the one given with --contact, or every binding with --all'
complete -c sipreg -n "__fish_sipreg_using_subcommand help; and not __fish_seen_subcommand_from register query unregister completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c sipreg -n "__fish_sipreg_using_subcommand help; and not __fish_seen_subcommand_from register query unregister completions man help" -f -a "man" -d 'Print the man page (roff)'
complete -c sipreg -n "__fish_sipreg_using_subcommand help; and not __fish_seen_subcommand_from register query unregister completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
