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
complete -c sipreg -n "__fish_sipreg_needs_command" -f -a "profiles" -d 'List the profiles of the config file (no secrets shown)'
complete -c sipreg -n "__fish_sipreg_needs_command" -f -a "bulk" -d 'Register, query or unregister many AORs at a chosen rate (load tests)'
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
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l local -d 'Local address to bind: IP or IP:PORT. Bulk mode: several source addresses, AOR i from address i % n, repeated or comma-separated, each IP[:PORT], a CIDR block (127.0.0.2/31) or a range (127.0.0.2-127.0.0.5, 127.0.0.2-5); UDP binds at least one socket per address; further sockets or connections on an address with a PORT take PORT+1, …' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l timeout -d 'Give up on a request after this long (default 32s, 64*T1)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l user-agent -d 'User-Agent header value (default: sipreg/VERSION)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -s H -l header -d 'Add this header to every request, e.g. -H \'X-Tenant: 42\' (repeatable; not one sipreg writes itself)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l display-name -d 'Display name in From and To, e.g. --display-name \'Alice Smith\'' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l origin -d 'Origin to send on the WebSocket upgrade (ws, wss), e.g. https://phone.example.com' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l pcap -d 'Write every SIP message sent and received (and keep-alives) to FILE as a pcap capture for Wireshark or sngrep; TLS and WSS as their clear SIP over TCP' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l hep -d 'Send every SIP message sent and received as HEPv3 over UDP to a Homer capture server at ADDR:PORT (IP address and port)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -s o -l output -d 'Output format (bulk mode: of the summary)' -r -f -a "human\t''
json\t''
nagios\t'One line in the monitoring-plugins format (Nagios, Icinga, …) and the exit status such plugins use: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN'"
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l ca-file -d 'Trust this PEM CA certificate (TLS, WSS) besides the system\'s roots' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l tls-server-name -d 'Check the registrar\'s TLS certificate against NAME and send it as SNI, whatever address -r leads to (e.g. -r sips:192.0.2.1 --tls-server-name pbx.example.com)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l cert -d 'Client certificate for TLS and WSS (PEM, the chain from the leaf up), for registrars that authenticate clients by certificate (needs --key)' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l key -d 'The private key of --cert (PEM); only its owner may read the file' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l dns-server -d 'DNS server for locating the registrar (RFC 3263), e.g. 127.0.0.1:5353' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l profile -d 'Use this profile of the config file (also: AOR given as @NAME)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l config -d 'Config file with profiles (default: $XDG_CONFIG_HOME/sipreg/config.toml)' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l max-time -d 'Give up on the whole command after this long (challenges and retransmissions included)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -s p -l password -d 'Password on the command line (visible to ps: prefer the options below)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l password-file -d 'Read the password from the first line of this file' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l ha1 -d 'HA1 = H(user:realm:password) in hex instead of a password' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -s c -l contact -d 'Contact URI to bind (default: sip:USER@LOCAL-ADDRESS:PORT of the socket used); give it again to bind several in one REGISTER' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -s e -l expires -d 'Requested expiry, e.g. 3600, 10m, 1h (default: the profile\'s, else 3600)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l for -d 'Stay registered this long, then unregister and exit' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l q -d 'Contact q value (0 to 1)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l instance -d '+sip.instance URN (RFC 5626), e.g. urn:uuid:...' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l reg-id -d 'reg-id (RFC 5626)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l keepalive -d 'Send keep-alives this often: CRLF ping on TCP/TLS/WS, STUN on UDP (RFC 5626)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l metrics -d 'Serve Prometheus metrics at http://ADDR:PORT/metrics while staying registered (PORT alone: on 127.0.0.1)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l answer -d 'Final response to an incoming INVITE, after 100 Trying (default 480; 486, 603 and 404 are common). sipreg sets up no calls, so not a 2xx' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l ring -d 'Let an incoming INVITE ring this long before that answer (a CANCEL meanwhile gets 200 and the INVITE 487)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l probe-every -d 'While registered, check this often that an OPTIONS for the AOR sent to the registrar arrives at our contact (a `probed` event each time)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l expect-status -d 'The final SIP status must be CODE' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l expect-bindings -d 'Number of bindings: N, >=N or <=N' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l expect-contact -d 'A binding with this contact must be present (compared as URIs, RFC 3261 19.1.4)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l expect-expires-at-least -d 'Our binding must be granted at least this long' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l warning-time -d '-o nagios: WARNING when the answer took longer than this' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l critical-time -d '-o nagios: CRITICAL when the answer took longer than this' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l json -d 'Short for --output json'
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -s v -l verbose -d '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)'
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -s q -l quiet -d 'Print nothing; only the exit status tells'
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l insecure -d 'Do not verify the registrar\'s TLS certificate (dangerous; for tests only)'
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l dry-run -d 'Print the first REGISTER exactly as it would be sent, and exit without sending'
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l once -d 'Register once and exit, leaving the binding in place'
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l keep-binding -d 'Leave the binding in place when exiting'
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l nat-rewrite -d 'Re-register with the address the registrar saw (Via received/rport) when it differs from our Contact (default: on for the default contact, off with --contact)'
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l no-nat-rewrite -d 'Never rewrite the Contact after NAT detection'
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l retry-auth -d 'Keep retrying with back-off after authentication failures instead of exiting 3'
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -l expect-reachable -d 'After registering, an OPTIONS for the AOR sent to the registrar must arrive at our contact and our answer come back (register --once)'
complete -c sipreg -n "__fish_sipreg_using_subcommand register" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -s r -l registrar -d 'Where to send requests (default: the AOR\'s domain)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l proxy -d 'Outbound proxy, sent as a loose Route' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -s u -l user -d 'Authentication user name (default: the AOR\'s user part)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l realm -d 'Answer challenges for this realm only' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -s t -l transport -d 'Transport' -r -f -a "udp\t''
tcp\t''
tls\t''
ws\t''
wss\t''"
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l local -d 'Local address to bind: IP or IP:PORT. Bulk mode: several source addresses, AOR i from address i % n, repeated or comma-separated, each IP[:PORT], a CIDR block (127.0.0.2/31) or a range (127.0.0.2-127.0.0.5, 127.0.0.2-5); UDP binds at least one socket per address; further sockets or connections on an address with a PORT take PORT+1, …' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l timeout -d 'Give up on a request after this long (default 32s, 64*T1)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l user-agent -d 'User-Agent header value (default: sipreg/VERSION)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -s H -l header -d 'Add this header to every request, e.g. -H \'X-Tenant: 42\' (repeatable; not one sipreg writes itself)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l display-name -d 'Display name in From and To, e.g. --display-name \'Alice Smith\'' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l origin -d 'Origin to send on the WebSocket upgrade (ws, wss), e.g. https://phone.example.com' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l pcap -d 'Write every SIP message sent and received (and keep-alives) to FILE as a pcap capture for Wireshark or sngrep; TLS and WSS as their clear SIP over TCP' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l hep -d 'Send every SIP message sent and received as HEPv3 over UDP to a Homer capture server at ADDR:PORT (IP address and port)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -s o -l output -d 'Output format (bulk mode: of the summary)' -r -f -a "human\t''
json\t''
nagios\t'One line in the monitoring-plugins format (Nagios, Icinga, …) and the exit status such plugins use: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN'"
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l ca-file -d 'Trust this PEM CA certificate (TLS, WSS) besides the system\'s roots' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l tls-server-name -d 'Check the registrar\'s TLS certificate against NAME and send it as SNI, whatever address -r leads to (e.g. -r sips:192.0.2.1 --tls-server-name pbx.example.com)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l cert -d 'Client certificate for TLS and WSS (PEM, the chain from the leaf up), for registrars that authenticate clients by certificate (needs --key)' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l key -d 'The private key of --cert (PEM); only its owner may read the file' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l dns-server -d 'DNS server for locating the registrar (RFC 3263), e.g. 127.0.0.1:5353' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l profile -d 'Use this profile of the config file (also: AOR given as @NAME)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l config -d 'Config file with profiles (default: $XDG_CONFIG_HOME/sipreg/config.toml)' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l max-time -d 'Give up on the whole command after this long (challenges and retransmissions included)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -s p -l password -d 'Password on the command line (visible to ps: prefer the options below)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l password-file -d 'Read the password from the first line of this file' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l ha1 -d 'HA1 = H(user:realm:password) in hex instead of a password' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l expect-status -d 'The final SIP status must be CODE' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l expect-bindings -d 'Number of bindings: N, >=N or <=N' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l expect-contact -d 'A binding with this contact must be present (compared as URIs, RFC 3261 19.1.4)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l expect-expires-at-least -d 'Our binding must be granted at least this long' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l warning-time -d '-o nagios: WARNING when the answer took longer than this' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l critical-time -d '-o nagios: CRITICAL when the answer took longer than this' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l json -d 'Short for --output json'
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -s v -l verbose -d '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)'
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -s q -l quiet -d 'Print nothing; only the exit status tells'
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l insecure -d 'Do not verify the registrar\'s TLS certificate (dangerous; for tests only)'
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l dry-run -d 'Print the first REGISTER exactly as it would be sent, and exit without sending'
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -l expect-reachable -d 'After registering, an OPTIONS for the AOR sent to the registrar must arrive at our contact and our answer come back (register --once)'
complete -c sipreg -n "__fish_sipreg_using_subcommand query" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -s r -l registrar -d 'Where to send requests (default: the AOR\'s domain)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l proxy -d 'Outbound proxy, sent as a loose Route' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -s u -l user -d 'Authentication user name (default: the AOR\'s user part)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l realm -d 'Answer challenges for this realm only' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -s t -l transport -d 'Transport' -r -f -a "udp\t''
tcp\t''
tls\t''
ws\t''
wss\t''"
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l local -d 'Local address to bind: IP or IP:PORT. Bulk mode: several source addresses, AOR i from address i % n, repeated or comma-separated, each IP[:PORT], a CIDR block (127.0.0.2/31) or a range (127.0.0.2-127.0.0.5, 127.0.0.2-5); UDP binds at least one socket per address; further sockets or connections on an address with a PORT take PORT+1, …' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l timeout -d 'Give up on a request after this long (default 32s, 64*T1)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l user-agent -d 'User-Agent header value (default: sipreg/VERSION)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -s H -l header -d 'Add this header to every request, e.g. -H \'X-Tenant: 42\' (repeatable; not one sipreg writes itself)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l display-name -d 'Display name in From and To, e.g. --display-name \'Alice Smith\'' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l origin -d 'Origin to send on the WebSocket upgrade (ws, wss), e.g. https://phone.example.com' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l pcap -d 'Write every SIP message sent and received (and keep-alives) to FILE as a pcap capture for Wireshark or sngrep; TLS and WSS as their clear SIP over TCP' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l hep -d 'Send every SIP message sent and received as HEPv3 over UDP to a Homer capture server at ADDR:PORT (IP address and port)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -s o -l output -d 'Output format (bulk mode: of the summary)' -r -f -a "human\t''
json\t''
nagios\t'One line in the monitoring-plugins format (Nagios, Icinga, …) and the exit status such plugins use: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN'"
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l ca-file -d 'Trust this PEM CA certificate (TLS, WSS) besides the system\'s roots' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l tls-server-name -d 'Check the registrar\'s TLS certificate against NAME and send it as SNI, whatever address -r leads to (e.g. -r sips:192.0.2.1 --tls-server-name pbx.example.com)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l cert -d 'Client certificate for TLS and WSS (PEM, the chain from the leaf up), for registrars that authenticate clients by certificate (needs --key)' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l key -d 'The private key of --cert (PEM); only its owner may read the file' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l dns-server -d 'DNS server for locating the registrar (RFC 3263), e.g. 127.0.0.1:5353' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l profile -d 'Use this profile of the config file (also: AOR given as @NAME)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l config -d 'Config file with profiles (default: $XDG_CONFIG_HOME/sipreg/config.toml)' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l max-time -d 'Give up on the whole command after this long (challenges and retransmissions included)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -s p -l password -d 'Password on the command line (visible to ps: prefer the options below)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l password-file -d 'Read the password from the first line of this file' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l ha1 -d 'HA1 = H(user:realm:password) in hex instead of a password' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -s c -l contact -d 'Remove this contact instead of our own (again for several, in one request)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l json -d 'Short for --output json'
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -s v -l verbose -d '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)'
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -s q -l quiet -d 'Print nothing; only the exit status tells'
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l insecure -d 'Do not verify the registrar\'s TLS certificate (dangerous; for tests only)'
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l dry-run -d 'Print the first REGISTER exactly as it would be sent, and exit without sending'
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -l all -d 'Remove every binding of the AOR (Contact: *, Expires: 0)'
complete -c sipreg -n "__fish_sipreg_using_subcommand unregister" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sipreg -n "__fish_sipreg_using_subcommand profiles" -l config -d 'Config file (default: $XDG_CONFIG_HOME/sipreg/config.toml)' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand profiles" -s h -l help -d 'Print help'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and not __fish_seen_subcommand_from register query unregister merge help" -s h -l help -d 'Print help'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and not __fish_seen_subcommand_from register query unregister merge help" -f -a "register" -d 'Register every AOR (--once: once each; otherwise keep them refreshed)'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and not __fish_seen_subcommand_from register query unregister merge help" -f -a "query" -d 'Query every AOR\'s bindings'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and not __fish_seen_subcommand_from register query unregister merge help" -f -a "unregister" -d 'Remove every AOR\'s bindings'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and not __fish_seen_subcommand_from register query unregister merge help" -f -a "merge" -d 'Add up the JSON output of the shards of one load test (their summaries and --interval lines) into one summary, as if one machine had run it'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and not __fish_seen_subcommand_from register query unregister merge help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l users -d 'CSV file with a header line: aor,user,password[,contact] (quoted fields allowed)' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l aor -d 'AOR template, e.g. \'sip:bench{n:04}@example.test\'' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l count -d 'How many AORs the template makes' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l first -d 'First value of {n}' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l password-template -d 'Password template, e.g. \'pw{n:04}\'' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l user-template -d 'Auth user template (default: each AOR\'s user part)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l contact-template -d 'Contact template (default: sip:USER@LOCAL-ADDRESS:PORT)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -s r -l registrar -d 'Where to send requests (default: the AOR\'s domain)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l proxy -d 'Outbound proxy, sent as a loose Route' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -s u -l user -d 'Authentication user name (default: the AOR\'s user part)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l realm -d 'Answer challenges for this realm only' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -s t -l transport -d 'Transport' -r -f -a "udp\t''
tcp\t''
tls\t''
ws\t''
wss\t''"
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l local -d 'Local address to bind: IP or IP:PORT. Bulk mode: several source addresses, AOR i from address i % n, repeated or comma-separated, each IP[:PORT], a CIDR block (127.0.0.2/31) or a range (127.0.0.2-127.0.0.5, 127.0.0.2-5); UDP binds at least one socket per address; further sockets or connections on an address with a PORT take PORT+1, …' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l timeout -d 'Give up on a request after this long (default 32s, 64*T1)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l user-agent -d 'User-Agent header value (default: sipreg/VERSION)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -s H -l header -d 'Add this header to every request, e.g. -H \'X-Tenant: 42\' (repeatable; not one sipreg writes itself)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l display-name -d 'Display name in From and To, e.g. --display-name \'Alice Smith\'' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l origin -d 'Origin to send on the WebSocket upgrade (ws, wss), e.g. https://phone.example.com' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l pcap -d 'Write every SIP message sent and received (and keep-alives) to FILE as a pcap capture for Wireshark or sngrep; TLS and WSS as their clear SIP over TCP' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l hep -d 'Send every SIP message sent and received as HEPv3 over UDP to a Homer capture server at ADDR:PORT (IP address and port)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -s o -l output -d 'Output format (bulk mode: of the summary)' -r -f -a "human\t''
json\t''
nagios\t'One line in the monitoring-plugins format (Nagios, Icinga, …) and the exit status such plugins use: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN'"
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l ca-file -d 'Trust this PEM CA certificate (TLS, WSS) besides the system\'s roots' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l tls-server-name -d 'Check the registrar\'s TLS certificate against NAME and send it as SNI, whatever address -r leads to (e.g. -r sips:192.0.2.1 --tls-server-name pbx.example.com)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l cert -d 'Client certificate for TLS and WSS (PEM, the chain from the leaf up), for registrars that authenticate clients by certificate (needs --key)' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l key -d 'The private key of --cert (PEM); only its owner may read the file' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l dns-server -d 'DNS server for locating the registrar (RFC 3263), e.g. 127.0.0.1:5353' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l rate -d 'New transactions per second, paced evenly' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l ramp -d 'A gradual start instead of --rate: new transactions per second rise linearly from FROM to TO over DURATION, then stay at TO; the first starts at once even from 0, e.g. \'0..5000/s over 60s\'' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l concurrency -d 'At most this many transactions in flight' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l for -d 'Stay registered this long, then unregister all and exit' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l keepalive -d 'Staying mode: keep-alives this often per AOR, CRLF ping on TCP/TLS, STUN on UDP (RFC 5626)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -s e -l expires -d 'Requested expiry' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l sockets -d 'UDP sockets to spread the population over' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l connections -d 'Stream connections (TCP, TLS, WS, WSS) shared by the population, AOR i on connection i % N (default: one per AOR)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l shard -d 'Only the I-th of N slices of the population (I from 1 to N), e.g. 2/4; auto/N takes I from JOB_COMPLETION_INDEX + 1, as set in the pods of a Kubernetes Indexed Job' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l metrics -d 'Serve Prometheus metrics at http://ADDR:PORT/metrics during the run (PORT alone: on 127.0.0.1)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l expect-success-rate -d 'At least this share of the population must succeed, e.g. 99.9%' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l expect-p50 -d 'Median latency at most this, e.g. 20ms' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l expect-p90 -d '90th-percentile latency at most this' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l expect-p99 -d '99th-percentile latency at most this, e.g. 50ms' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l expect-max -d 'Longest latency at most this' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l expect-rate -d 'Operations started per second at least this, e.g. 500/s' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l start-at -d 'Begin at this instant (RFC 3339, e.g. 2026-12-06T10:00:00Z, or Unix seconds), so that generators started at different moments load the registrar together' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l interval -d 'Print what happened in each interval of this length (JSON: one bulk_interval object per line), counted from the start' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l answer -d 'Final response to an incoming INVITE, after 100 Trying (default 480; 486, 603 and 404 are common). sipreg sets up no calls, so not a 2xx' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l ring -d 'Let an incoming INVITE ring this long before that answer (a CANCEL meanwhile gets 200 and the INVITE 487)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l json -d 'Short for --output json'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -s v -l verbose -d '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -s q -l quiet -d 'Print nothing; only the exit status tells'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l insecure -d 'Do not verify the registrar\'s TLS certificate (dangerous; for tests only)'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l once -d 'Register each once and exit (bulk register)'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -l expect-reachable -d 'Probe each AOR once after it registers: an OPTIONS for it sent to the registrar must arrive at its contact; the summary counts reachable AORs'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from register" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l users -d 'CSV file with a header line: aor,user,password[,contact] (quoted fields allowed)' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l aor -d 'AOR template, e.g. \'sip:bench{n:04}@example.test\'' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l count -d 'How many AORs the template makes' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l first -d 'First value of {n}' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l password-template -d 'Password template, e.g. \'pw{n:04}\'' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l user-template -d 'Auth user template (default: each AOR\'s user part)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l contact-template -d 'Contact template (default: sip:USER@LOCAL-ADDRESS:PORT)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -s r -l registrar -d 'Where to send requests (default: the AOR\'s domain)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l proxy -d 'Outbound proxy, sent as a loose Route' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -s u -l user -d 'Authentication user name (default: the AOR\'s user part)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l realm -d 'Answer challenges for this realm only' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -s t -l transport -d 'Transport' -r -f -a "udp\t''
tcp\t''
tls\t''
ws\t''
wss\t''"
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l local -d 'Local address to bind: IP or IP:PORT. Bulk mode: several source addresses, AOR i from address i % n, repeated or comma-separated, each IP[:PORT], a CIDR block (127.0.0.2/31) or a range (127.0.0.2-127.0.0.5, 127.0.0.2-5); UDP binds at least one socket per address; further sockets or connections on an address with a PORT take PORT+1, …' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l timeout -d 'Give up on a request after this long (default 32s, 64*T1)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l user-agent -d 'User-Agent header value (default: sipreg/VERSION)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -s H -l header -d 'Add this header to every request, e.g. -H \'X-Tenant: 42\' (repeatable; not one sipreg writes itself)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l display-name -d 'Display name in From and To, e.g. --display-name \'Alice Smith\'' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l origin -d 'Origin to send on the WebSocket upgrade (ws, wss), e.g. https://phone.example.com' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l pcap -d 'Write every SIP message sent and received (and keep-alives) to FILE as a pcap capture for Wireshark or sngrep; TLS and WSS as their clear SIP over TCP' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l hep -d 'Send every SIP message sent and received as HEPv3 over UDP to a Homer capture server at ADDR:PORT (IP address and port)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -s o -l output -d 'Output format (bulk mode: of the summary)' -r -f -a "human\t''
json\t''
nagios\t'One line in the monitoring-plugins format (Nagios, Icinga, …) and the exit status such plugins use: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN'"
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l ca-file -d 'Trust this PEM CA certificate (TLS, WSS) besides the system\'s roots' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l tls-server-name -d 'Check the registrar\'s TLS certificate against NAME and send it as SNI, whatever address -r leads to (e.g. -r sips:192.0.2.1 --tls-server-name pbx.example.com)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l cert -d 'Client certificate for TLS and WSS (PEM, the chain from the leaf up), for registrars that authenticate clients by certificate (needs --key)' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l key -d 'The private key of --cert (PEM); only its owner may read the file' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l dns-server -d 'DNS server for locating the registrar (RFC 3263), e.g. 127.0.0.1:5353' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l rate -d 'New transactions per second, paced evenly' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l ramp -d 'A gradual start instead of --rate: new transactions per second rise linearly from FROM to TO over DURATION, then stay at TO; the first starts at once even from 0, e.g. \'0..5000/s over 60s\'' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l concurrency -d 'At most this many transactions in flight' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l for -d 'Stay registered this long, then unregister all and exit' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l keepalive -d 'Staying mode: keep-alives this often per AOR, CRLF ping on TCP/TLS, STUN on UDP (RFC 5626)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -s e -l expires -d 'Requested expiry' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l sockets -d 'UDP sockets to spread the population over' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l connections -d 'Stream connections (TCP, TLS, WS, WSS) shared by the population, AOR i on connection i % N (default: one per AOR)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l shard -d 'Only the I-th of N slices of the population (I from 1 to N), e.g. 2/4; auto/N takes I from JOB_COMPLETION_INDEX + 1, as set in the pods of a Kubernetes Indexed Job' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l metrics -d 'Serve Prometheus metrics at http://ADDR:PORT/metrics during the run (PORT alone: on 127.0.0.1)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l expect-success-rate -d 'At least this share of the population must succeed, e.g. 99.9%' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l expect-p50 -d 'Median latency at most this, e.g. 20ms' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l expect-p90 -d '90th-percentile latency at most this' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l expect-p99 -d '99th-percentile latency at most this, e.g. 50ms' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l expect-max -d 'Longest latency at most this' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l expect-rate -d 'Operations started per second at least this, e.g. 500/s' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l start-at -d 'Begin at this instant (RFC 3339, e.g. 2026-12-06T10:00:00Z, or Unix seconds), so that generators started at different moments load the registrar together' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l interval -d 'Print what happened in each interval of this length (JSON: one bulk_interval object per line), counted from the start' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l answer -d 'Final response to an incoming INVITE, after 100 Trying (default 480; 486, 603 and 404 are common). sipreg sets up no calls, so not a 2xx' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l ring -d 'Let an incoming INVITE ring this long before that answer (a CANCEL meanwhile gets 200 and the INVITE 487)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l json -d 'Short for --output json'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -s v -l verbose -d '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -s q -l quiet -d 'Print nothing; only the exit status tells'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l insecure -d 'Do not verify the registrar\'s TLS certificate (dangerous; for tests only)'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l once -d 'Register each once and exit (bulk register)'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -l expect-reachable -d 'Probe each AOR once after it registers: an OPTIONS for it sent to the registrar must arrive at its contact; the summary counts reachable AORs'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from query" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l users -d 'CSV file with a header line: aor,user,password[,contact] (quoted fields allowed)' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l aor -d 'AOR template, e.g. \'sip:bench{n:04}@example.test\'' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l count -d 'How many AORs the template makes' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l first -d 'First value of {n}' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l password-template -d 'Password template, e.g. \'pw{n:04}\'' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l user-template -d 'Auth user template (default: each AOR\'s user part)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l contact-template -d 'Contact template (default: sip:USER@LOCAL-ADDRESS:PORT)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -s r -l registrar -d 'Where to send requests (default: the AOR\'s domain)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l proxy -d 'Outbound proxy, sent as a loose Route' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -s u -l user -d 'Authentication user name (default: the AOR\'s user part)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l realm -d 'Answer challenges for this realm only' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -s t -l transport -d 'Transport' -r -f -a "udp\t''
tcp\t''
tls\t''
ws\t''
wss\t''"
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l local -d 'Local address to bind: IP or IP:PORT. Bulk mode: several source addresses, AOR i from address i % n, repeated or comma-separated, each IP[:PORT], a CIDR block (127.0.0.2/31) or a range (127.0.0.2-127.0.0.5, 127.0.0.2-5); UDP binds at least one socket per address; further sockets or connections on an address with a PORT take PORT+1, …' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l timeout -d 'Give up on a request after this long (default 32s, 64*T1)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l user-agent -d 'User-Agent header value (default: sipreg/VERSION)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -s H -l header -d 'Add this header to every request, e.g. -H \'X-Tenant: 42\' (repeatable; not one sipreg writes itself)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l display-name -d 'Display name in From and To, e.g. --display-name \'Alice Smith\'' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l origin -d 'Origin to send on the WebSocket upgrade (ws, wss), e.g. https://phone.example.com' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l pcap -d 'Write every SIP message sent and received (and keep-alives) to FILE as a pcap capture for Wireshark or sngrep; TLS and WSS as their clear SIP over TCP' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l hep -d 'Send every SIP message sent and received as HEPv3 over UDP to a Homer capture server at ADDR:PORT (IP address and port)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -s o -l output -d 'Output format (bulk mode: of the summary)' -r -f -a "human\t''
json\t''
nagios\t'One line in the monitoring-plugins format (Nagios, Icinga, …) and the exit status such plugins use: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN'"
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l ca-file -d 'Trust this PEM CA certificate (TLS, WSS) besides the system\'s roots' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l tls-server-name -d 'Check the registrar\'s TLS certificate against NAME and send it as SNI, whatever address -r leads to (e.g. -r sips:192.0.2.1 --tls-server-name pbx.example.com)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l cert -d 'Client certificate for TLS and WSS (PEM, the chain from the leaf up), for registrars that authenticate clients by certificate (needs --key)' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l key -d 'The private key of --cert (PEM); only its owner may read the file' -r -F
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l dns-server -d 'DNS server for locating the registrar (RFC 3263), e.g. 127.0.0.1:5353' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l rate -d 'New transactions per second, paced evenly' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l ramp -d 'A gradual start instead of --rate: new transactions per second rise linearly from FROM to TO over DURATION, then stay at TO; the first starts at once even from 0, e.g. \'0..5000/s over 60s\'' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l concurrency -d 'At most this many transactions in flight' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l for -d 'Stay registered this long, then unregister all and exit' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l keepalive -d 'Staying mode: keep-alives this often per AOR, CRLF ping on TCP/TLS, STUN on UDP (RFC 5626)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -s e -l expires -d 'Requested expiry' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l sockets -d 'UDP sockets to spread the population over' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l connections -d 'Stream connections (TCP, TLS, WS, WSS) shared by the population, AOR i on connection i % N (default: one per AOR)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l shard -d 'Only the I-th of N slices of the population (I from 1 to N), e.g. 2/4; auto/N takes I from JOB_COMPLETION_INDEX + 1, as set in the pods of a Kubernetes Indexed Job' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l metrics -d 'Serve Prometheus metrics at http://ADDR:PORT/metrics during the run (PORT alone: on 127.0.0.1)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l expect-success-rate -d 'At least this share of the population must succeed, e.g. 99.9%' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l expect-p50 -d 'Median latency at most this, e.g. 20ms' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l expect-p90 -d '90th-percentile latency at most this' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l expect-p99 -d '99th-percentile latency at most this, e.g. 50ms' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l expect-max -d 'Longest latency at most this' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l expect-rate -d 'Operations started per second at least this, e.g. 500/s' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l start-at -d 'Begin at this instant (RFC 3339, e.g. 2026-12-06T10:00:00Z, or Unix seconds), so that generators started at different moments load the registrar together' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l interval -d 'Print what happened in each interval of this length (JSON: one bulk_interval object per line), counted from the start' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l answer -d 'Final response to an incoming INVITE, after 100 Trying (default 480; 486, 603 and 404 are common). sipreg sets up no calls, so not a 2xx' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l ring -d 'Let an incoming INVITE ring this long before that answer (a CANCEL meanwhile gets 200 and the INVITE 487)' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l json -d 'Short for --output json'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -s v -l verbose -d '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -s q -l quiet -d 'Print nothing; only the exit status tells'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l insecure -d 'Do not verify the registrar\'s TLS certificate (dangerous; for tests only)'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l once -d 'Register each once and exit (bulk register)'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -l expect-reachable -d 'Probe each AOR once after it registers: an OPTIONS for it sent to the registrar must arrive at its contact; the summary counts reachable AORs'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from unregister" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from merge" -s o -l output -d 'Output format' -r -f -a "human\t''
json\t''
nagios\t'One line in the monitoring-plugins format (Nagios, Icinga, …) and the exit status such plugins use: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN'"
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from merge" -l expect-success-rate -d 'At least this share of the population must succeed, e.g. 99.9%' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from merge" -l expect-p50 -d 'Median latency at most this, e.g. 20ms' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from merge" -l expect-p90 -d '90th-percentile latency at most this' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from merge" -l expect-p99 -d '99th-percentile latency at most this, e.g. 50ms' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from merge" -l expect-max -d 'Longest latency at most this' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from merge" -l expect-rate -d 'Operations started per second at least this, e.g. 500/s' -r
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from merge" -l json -d 'Same as -o json'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from merge" -s q -l quiet -d 'Print nothing; the exit status tells'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from merge" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from help" -f -a "register" -d 'Register every AOR (--once: once each; otherwise keep them refreshed)'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from help" -f -a "query" -d 'Query every AOR\'s bindings'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from help" -f -a "unregister" -d 'Remove every AOR\'s bindings'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from help" -f -a "merge" -d 'Add up the JSON output of the shards of one load test (their summaries and --interval lines) into one summary, as if one machine had run it'
complete -c sipreg -n "__fish_sipreg_using_subcommand bulk; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sipreg -n "__fish_sipreg_using_subcommand completions" -s h -l help -d 'Print help'
complete -c sipreg -n "__fish_sipreg_using_subcommand man" -s h -l help -d 'Print help'
complete -c sipreg -n "__fish_sipreg_using_subcommand help; and not __fish_seen_subcommand_from register query unregister profiles bulk completions man help" -f -a "register" -d 'Bind a contact and keep it refreshed until interrupted, then remove it (--once: bind and exit)'
complete -c sipreg -n "__fish_sipreg_using_subcommand help; and not __fish_seen_subcommand_from register query unregister profiles bulk completions man help" -f -a "query" -d 'List the bindings of an address-of-record (REGISTER without Contact)'
complete -c sipreg -n "__fish_sipreg_using_subcommand help; and not __fish_seen_subcommand_from register query unregister profiles bulk completions man help" -f -a "unregister" -d 'Remove our contact, the one given with --contact, or every binding with --all'
complete -c sipreg -n "__fish_sipreg_using_subcommand help; and not __fish_seen_subcommand_from register query unregister profiles bulk completions man help" -f -a "profiles" -d 'List the profiles of the config file (no secrets shown)'
complete -c sipreg -n "__fish_sipreg_using_subcommand help; and not __fish_seen_subcommand_from register query unregister profiles bulk completions man help" -f -a "bulk" -d 'Register, query or unregister many AORs at a chosen rate (load tests)'
complete -c sipreg -n "__fish_sipreg_using_subcommand help; and not __fish_seen_subcommand_from register query unregister profiles bulk completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c sipreg -n "__fish_sipreg_using_subcommand help; and not __fish_seen_subcommand_from register query unregister profiles bulk completions man help" -f -a "man" -d 'Print the man page (roff)'
complete -c sipreg -n "__fish_sipreg_using_subcommand help; and not __fish_seen_subcommand_from register query unregister profiles bulk completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sipreg -n "__fish_sipreg_using_subcommand help; and __fish_seen_subcommand_from bulk" -f -a "register" -d 'Register every AOR (--once: once each; otherwise keep them refreshed)'
complete -c sipreg -n "__fish_sipreg_using_subcommand help; and __fish_seen_subcommand_from bulk" -f -a "query" -d 'Query every AOR\'s bindings'
complete -c sipreg -n "__fish_sipreg_using_subcommand help; and __fish_seen_subcommand_from bulk" -f -a "unregister" -d 'Remove every AOR\'s bindings'
complete -c sipreg -n "__fish_sipreg_using_subcommand help; and __fish_seen_subcommand_from bulk" -f -a "merge" -d 'Add up the JSON output of the shards of one load test (their summaries and --interval lines) into one summary, as if one machine had run it'
