
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'sipreg' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'sipreg'
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
        'sipreg' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('register', 'register', [CompletionResultType]::ParameterValue, 'Bind a contact and keep it refreshed until interrupted, then remove it (--once: bind and exit)')
            [CompletionResult]::new('query', 'query', [CompletionResultType]::ParameterValue, 'List the bindings of an address-of-record (REGISTER without Contact)')
            [CompletionResult]::new('unregister', 'unregister', [CompletionResultType]::ParameterValue, 'Remove our contact, the one given with --contact, or every binding with --all')
            [CompletionResult]::new('profiles', 'profiles', [CompletionResultType]::ParameterValue, 'List the profiles of the config file (no secrets shown)')
            [CompletionResult]::new('bulk', 'bulk', [CompletionResultType]::ParameterValue, 'Register, query or unregister many AORs at a chosen rate (load tests)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'sipreg;register' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Where to send requests (default: the AOR''s domain)')
            [CompletionResult]::new('--registrar', '--registrar', [CompletionResultType]::ParameterName, 'Where to send requests (default: the AOR''s domain)')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Outbound proxy, sent as a loose Route')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Authentication user name (default: the AOR''s user part)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Authentication user name (default: the AOR''s user part)')
            [CompletionResult]::new('--realm', '--realm', [CompletionResultType]::ParameterName, 'Answer challenges for this realm only')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Transport')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'Transport')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Local address to bind: IP or IP:PORT. Bulk mode: several source addresses, AOR i from address i % n, repeated or comma-separated, each IP[:PORT], a CIDR block (127.0.0.2/31) or a range (127.0.0.2-127.0.0.5, 127.0.0.2-5); UDP binds at least one socket per address; further sockets or connections on an address with a PORT take PORT+1, …')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request after this long (default 32s, 64*T1)')
            [CompletionResult]::new('--user-agent', '--user-agent', [CompletionResultType]::ParameterName, 'User-Agent header value (default: sipreg/VERSION)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Add this header to every request, e.g. -H ''X-Tenant: 42'' (repeatable; not one sipreg writes itself)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Add this header to every request, e.g. -H ''X-Tenant: 42'' (repeatable; not one sipreg writes itself)')
            [CompletionResult]::new('--display-name', '--display-name', [CompletionResultType]::ParameterName, 'Display name in From and To, e.g. --display-name ''Alice Smith''')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'Origin to send on the WebSocket upgrade (ws, wss), e.g. https://phone.example.com')
            [CompletionResult]::new('--pcap', '--pcap', [CompletionResultType]::ParameterName, 'Write every SIP message sent and received (and keep-alives) to FILE as a pcap capture for Wireshark or sngrep; TLS and WSS as their clear SIP over TCP')
            [CompletionResult]::new('--hep', '--hep', [CompletionResultType]::ParameterName, 'Send every SIP message sent and received as HEPv3 over UDP to a Homer capture server at ADDR:PORT (IP address and port)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format (bulk mode: of the summary)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format (bulk mode: of the summary)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust this PEM CA certificate (TLS, WSS) besides the system''s roots')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Check the registrar''s TLS certificate against NAME and send it as SNI, whatever address -r leads to (e.g. -r sips:192.0.2.1 --tls-server-name pbx.example.com)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate for TLS and WSS (PEM, the chain from the leaf up), for registrars that authenticate clients by certificate (needs --key)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The private key of --cert (PEM); only its owner may read the file')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'DNS server for locating the registrar (RFC 3263), e.g. 127.0.0.1:5353')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile of the config file (also: AOR given as @NAME)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file with profiles (default: $XDG_CONFIG_HOME/sipreg/config.toml)')
            [CompletionResult]::new('--max-time', '--max-time', [CompletionResultType]::ParameterName, 'Give up on the whole command after this long (challenges and retransmissions included)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Password on the command line (visible to ps: prefer the options below)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password on the command line (visible to ps: prefer the options below)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the password from the first line of this file')
            [CompletionResult]::new('--ha1', '--ha1', [CompletionResultType]::ParameterName, 'HA1 = H(user:realm:password) in hex instead of a password')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Contact URI to bind (default: sip:USER@LOCAL-ADDRESS:PORT of the socket used); give it again to bind several in one REGISTER')
            [CompletionResult]::new('--contact', '--contact', [CompletionResultType]::ParameterName, 'Contact URI to bind (default: sip:USER@LOCAL-ADDRESS:PORT of the socket used); give it again to bind several in one REGISTER')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Requested expiry, e.g. 3600, 10m, 1h (default: the profile''s, else 3600)')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, 'Requested expiry, e.g. 3600, 10m, 1h (default: the profile''s, else 3600)')
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'Stay registered this long, then unregister and exit')
            [CompletionResult]::new('--q', '--q', [CompletionResultType]::ParameterName, 'Contact q value (0 to 1)')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, '+sip.instance URN (RFC 5626), e.g. urn:uuid:...')
            [CompletionResult]::new('--reg-id', '--reg-id', [CompletionResultType]::ParameterName, 'reg-id (RFC 5626)')
            [CompletionResult]::new('--keepalive', '--keepalive', [CompletionResultType]::ParameterName, 'Send keep-alives this often: CRLF ping on TCP/TLS/WS, STUN on UDP (RFC 5626)')
            [CompletionResult]::new('--metrics', '--metrics', [CompletionResultType]::ParameterName, 'Serve Prometheus metrics at http://ADDR:PORT/metrics while staying registered (PORT alone: on 127.0.0.1)')
            [CompletionResult]::new('--answer', '--answer', [CompletionResultType]::ParameterName, 'Final response to an incoming INVITE, after 100 Trying (default 480; 486, 603 and 404 are common). sipreg sets up no calls, so not a 2xx')
            [CompletionResult]::new('--ring', '--ring', [CompletionResultType]::ParameterName, 'Let an incoming INVITE ring this long before that answer (a CANCEL meanwhile gets 200 and the INVITE 487)')
            [CompletionResult]::new('--probe-every', '--probe-every', [CompletionResultType]::ParameterName, 'While registered, check this often that an OPTIONS for the AOR sent to the registrar arrives at our contact (a `probed` event each time)')
            [CompletionResult]::new('--expect-status', '--expect-status', [CompletionResultType]::ParameterName, 'The final SIP status must be CODE')
            [CompletionResult]::new('--expect-bindings', '--expect-bindings', [CompletionResultType]::ParameterName, 'Number of bindings: N, >=N or <=N')
            [CompletionResult]::new('--expect-contact', '--expect-contact', [CompletionResultType]::ParameterName, 'A binding with this contact must be present (compared as URIs, RFC 3261 19.1.4)')
            [CompletionResult]::new('--expect-expires-at-least', '--expect-expires-at-least', [CompletionResultType]::ParameterName, 'Our binding must be granted at least this long')
            [CompletionResult]::new('--warning-time', '--warning-time', [CompletionResultType]::ParameterName, '-o nagios: WARNING when the answer took longer than this')
            [CompletionResult]::new('--critical-time', '--critical-time', [CompletionResultType]::ParameterName, '-o nagios: CRITICAL when the answer took longer than this')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing; only the exit status tells')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing; only the exit status tells')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the registrar''s TLS certificate (dangerous; for tests only)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the first REGISTER exactly as it would be sent, and exit without sending')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password from the first line of standard input')
            [CompletionResult]::new('--once', '--once', [CompletionResultType]::ParameterName, 'Register once and exit, leaving the binding in place')
            [CompletionResult]::new('--keep-binding', '--keep-binding', [CompletionResultType]::ParameterName, 'Leave the binding in place when exiting')
            [CompletionResult]::new('--nat-rewrite', '--nat-rewrite', [CompletionResultType]::ParameterName, 'Re-register with the address the registrar saw (Via received/rport) when it differs from our Contact (default: on for the default contact, off with --contact)')
            [CompletionResult]::new('--no-nat-rewrite', '--no-nat-rewrite', [CompletionResultType]::ParameterName, 'Never rewrite the Contact after NAT detection')
            [CompletionResult]::new('--retry-auth', '--retry-auth', [CompletionResultType]::ParameterName, 'Keep retrying with back-off after authentication failures instead of exiting 3')
            [CompletionResult]::new('--expect-reachable', '--expect-reachable', [CompletionResultType]::ParameterName, 'After registering, an OPTIONS for the AOR sent to the registrar must arrive at our contact and our answer come back (register --once)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sipreg;query' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Where to send requests (default: the AOR''s domain)')
            [CompletionResult]::new('--registrar', '--registrar', [CompletionResultType]::ParameterName, 'Where to send requests (default: the AOR''s domain)')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Outbound proxy, sent as a loose Route')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Authentication user name (default: the AOR''s user part)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Authentication user name (default: the AOR''s user part)')
            [CompletionResult]::new('--realm', '--realm', [CompletionResultType]::ParameterName, 'Answer challenges for this realm only')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Transport')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'Transport')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Local address to bind: IP or IP:PORT. Bulk mode: several source addresses, AOR i from address i % n, repeated or comma-separated, each IP[:PORT], a CIDR block (127.0.0.2/31) or a range (127.0.0.2-127.0.0.5, 127.0.0.2-5); UDP binds at least one socket per address; further sockets or connections on an address with a PORT take PORT+1, …')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request after this long (default 32s, 64*T1)')
            [CompletionResult]::new('--user-agent', '--user-agent', [CompletionResultType]::ParameterName, 'User-Agent header value (default: sipreg/VERSION)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Add this header to every request, e.g. -H ''X-Tenant: 42'' (repeatable; not one sipreg writes itself)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Add this header to every request, e.g. -H ''X-Tenant: 42'' (repeatable; not one sipreg writes itself)')
            [CompletionResult]::new('--display-name', '--display-name', [CompletionResultType]::ParameterName, 'Display name in From and To, e.g. --display-name ''Alice Smith''')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'Origin to send on the WebSocket upgrade (ws, wss), e.g. https://phone.example.com')
            [CompletionResult]::new('--pcap', '--pcap', [CompletionResultType]::ParameterName, 'Write every SIP message sent and received (and keep-alives) to FILE as a pcap capture for Wireshark or sngrep; TLS and WSS as their clear SIP over TCP')
            [CompletionResult]::new('--hep', '--hep', [CompletionResultType]::ParameterName, 'Send every SIP message sent and received as HEPv3 over UDP to a Homer capture server at ADDR:PORT (IP address and port)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format (bulk mode: of the summary)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format (bulk mode: of the summary)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust this PEM CA certificate (TLS, WSS) besides the system''s roots')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Check the registrar''s TLS certificate against NAME and send it as SNI, whatever address -r leads to (e.g. -r sips:192.0.2.1 --tls-server-name pbx.example.com)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate for TLS and WSS (PEM, the chain from the leaf up), for registrars that authenticate clients by certificate (needs --key)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The private key of --cert (PEM); only its owner may read the file')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'DNS server for locating the registrar (RFC 3263), e.g. 127.0.0.1:5353')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile of the config file (also: AOR given as @NAME)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file with profiles (default: $XDG_CONFIG_HOME/sipreg/config.toml)')
            [CompletionResult]::new('--max-time', '--max-time', [CompletionResultType]::ParameterName, 'Give up on the whole command after this long (challenges and retransmissions included)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Password on the command line (visible to ps: prefer the options below)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password on the command line (visible to ps: prefer the options below)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the password from the first line of this file')
            [CompletionResult]::new('--ha1', '--ha1', [CompletionResultType]::ParameterName, 'HA1 = H(user:realm:password) in hex instead of a password')
            [CompletionResult]::new('--expect-status', '--expect-status', [CompletionResultType]::ParameterName, 'The final SIP status must be CODE')
            [CompletionResult]::new('--expect-bindings', '--expect-bindings', [CompletionResultType]::ParameterName, 'Number of bindings: N, >=N or <=N')
            [CompletionResult]::new('--expect-contact', '--expect-contact', [CompletionResultType]::ParameterName, 'A binding with this contact must be present (compared as URIs, RFC 3261 19.1.4)')
            [CompletionResult]::new('--expect-expires-at-least', '--expect-expires-at-least', [CompletionResultType]::ParameterName, 'Our binding must be granted at least this long')
            [CompletionResult]::new('--warning-time', '--warning-time', [CompletionResultType]::ParameterName, '-o nagios: WARNING when the answer took longer than this')
            [CompletionResult]::new('--critical-time', '--critical-time', [CompletionResultType]::ParameterName, '-o nagios: CRITICAL when the answer took longer than this')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing; only the exit status tells')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing; only the exit status tells')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the registrar''s TLS certificate (dangerous; for tests only)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the first REGISTER exactly as it would be sent, and exit without sending')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password from the first line of standard input')
            [CompletionResult]::new('--expect-reachable', '--expect-reachable', [CompletionResultType]::ParameterName, 'After registering, an OPTIONS for the AOR sent to the registrar must arrive at our contact and our answer come back (register --once)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sipreg;unregister' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Where to send requests (default: the AOR''s domain)')
            [CompletionResult]::new('--registrar', '--registrar', [CompletionResultType]::ParameterName, 'Where to send requests (default: the AOR''s domain)')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Outbound proxy, sent as a loose Route')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Authentication user name (default: the AOR''s user part)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Authentication user name (default: the AOR''s user part)')
            [CompletionResult]::new('--realm', '--realm', [CompletionResultType]::ParameterName, 'Answer challenges for this realm only')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Transport')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'Transport')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Local address to bind: IP or IP:PORT. Bulk mode: several source addresses, AOR i from address i % n, repeated or comma-separated, each IP[:PORT], a CIDR block (127.0.0.2/31) or a range (127.0.0.2-127.0.0.5, 127.0.0.2-5); UDP binds at least one socket per address; further sockets or connections on an address with a PORT take PORT+1, …')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request after this long (default 32s, 64*T1)')
            [CompletionResult]::new('--user-agent', '--user-agent', [CompletionResultType]::ParameterName, 'User-Agent header value (default: sipreg/VERSION)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Add this header to every request, e.g. -H ''X-Tenant: 42'' (repeatable; not one sipreg writes itself)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Add this header to every request, e.g. -H ''X-Tenant: 42'' (repeatable; not one sipreg writes itself)')
            [CompletionResult]::new('--display-name', '--display-name', [CompletionResultType]::ParameterName, 'Display name in From and To, e.g. --display-name ''Alice Smith''')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'Origin to send on the WebSocket upgrade (ws, wss), e.g. https://phone.example.com')
            [CompletionResult]::new('--pcap', '--pcap', [CompletionResultType]::ParameterName, 'Write every SIP message sent and received (and keep-alives) to FILE as a pcap capture for Wireshark or sngrep; TLS and WSS as their clear SIP over TCP')
            [CompletionResult]::new('--hep', '--hep', [CompletionResultType]::ParameterName, 'Send every SIP message sent and received as HEPv3 over UDP to a Homer capture server at ADDR:PORT (IP address and port)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format (bulk mode: of the summary)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format (bulk mode: of the summary)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust this PEM CA certificate (TLS, WSS) besides the system''s roots')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Check the registrar''s TLS certificate against NAME and send it as SNI, whatever address -r leads to (e.g. -r sips:192.0.2.1 --tls-server-name pbx.example.com)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate for TLS and WSS (PEM, the chain from the leaf up), for registrars that authenticate clients by certificate (needs --key)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The private key of --cert (PEM); only its owner may read the file')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'DNS server for locating the registrar (RFC 3263), e.g. 127.0.0.1:5353')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile of the config file (also: AOR given as @NAME)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file with profiles (default: $XDG_CONFIG_HOME/sipreg/config.toml)')
            [CompletionResult]::new('--max-time', '--max-time', [CompletionResultType]::ParameterName, 'Give up on the whole command after this long (challenges and retransmissions included)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Password on the command line (visible to ps: prefer the options below)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password on the command line (visible to ps: prefer the options below)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the password from the first line of this file')
            [CompletionResult]::new('--ha1', '--ha1', [CompletionResultType]::ParameterName, 'HA1 = H(user:realm:password) in hex instead of a password')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Remove this contact instead of our own (again for several, in one request)')
            [CompletionResult]::new('--contact', '--contact', [CompletionResultType]::ParameterName, 'Remove this contact instead of our own (again for several, in one request)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing; only the exit status tells')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing; only the exit status tells')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the registrar''s TLS certificate (dangerous; for tests only)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the first REGISTER exactly as it would be sent, and exit without sending')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password from the first line of standard input')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Remove every binding of the AOR (Contact: *, Expires: 0)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sipreg;profiles' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (default: $XDG_CONFIG_HOME/sipreg/config.toml)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'sipreg;bulk' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('register', 'register', [CompletionResultType]::ParameterValue, 'Register every AOR (--once: once each; otherwise keep them refreshed)')
            [CompletionResult]::new('query', 'query', [CompletionResultType]::ParameterValue, 'Query every AOR''s bindings')
            [CompletionResult]::new('unregister', 'unregister', [CompletionResultType]::ParameterValue, 'Remove every AOR''s bindings')
            [CompletionResult]::new('merge', 'merge', [CompletionResultType]::ParameterValue, 'Add up the JSON output of the shards of one load test (their summaries and --interval lines) into one summary, as if one machine had run it')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'sipreg;bulk;register' {
            [CompletionResult]::new('--users', '--users', [CompletionResultType]::ParameterName, 'CSV file with a header line: aor,user,password[,contact] (quoted fields allowed)')
            [CompletionResult]::new('--aor', '--aor', [CompletionResultType]::ParameterName, 'AOR template, e.g. ''sip:bench{n:04}@example.test''')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'How many AORs the template makes')
            [CompletionResult]::new('--first', '--first', [CompletionResultType]::ParameterName, 'First value of {n}')
            [CompletionResult]::new('--password-template', '--password-template', [CompletionResultType]::ParameterName, 'Password template, e.g. ''pw{n:04}''')
            [CompletionResult]::new('--user-template', '--user-template', [CompletionResultType]::ParameterName, 'Auth user template (default: each AOR''s user part)')
            [CompletionResult]::new('--contact-template', '--contact-template', [CompletionResultType]::ParameterName, 'Contact template (default: sip:USER@LOCAL-ADDRESS:PORT)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Where to send requests (default: the AOR''s domain)')
            [CompletionResult]::new('--registrar', '--registrar', [CompletionResultType]::ParameterName, 'Where to send requests (default: the AOR''s domain)')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Outbound proxy, sent as a loose Route')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Authentication user name (default: the AOR''s user part)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Authentication user name (default: the AOR''s user part)')
            [CompletionResult]::new('--realm', '--realm', [CompletionResultType]::ParameterName, 'Answer challenges for this realm only')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Transport')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'Transport')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Local address to bind: IP or IP:PORT. Bulk mode: several source addresses, AOR i from address i % n, repeated or comma-separated, each IP[:PORT], a CIDR block (127.0.0.2/31) or a range (127.0.0.2-127.0.0.5, 127.0.0.2-5); UDP binds at least one socket per address; further sockets or connections on an address with a PORT take PORT+1, …')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request after this long (default 32s, 64*T1)')
            [CompletionResult]::new('--user-agent', '--user-agent', [CompletionResultType]::ParameterName, 'User-Agent header value (default: sipreg/VERSION)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Add this header to every request, e.g. -H ''X-Tenant: 42'' (repeatable; not one sipreg writes itself)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Add this header to every request, e.g. -H ''X-Tenant: 42'' (repeatable; not one sipreg writes itself)')
            [CompletionResult]::new('--display-name', '--display-name', [CompletionResultType]::ParameterName, 'Display name in From and To, e.g. --display-name ''Alice Smith''')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'Origin to send on the WebSocket upgrade (ws, wss), e.g. https://phone.example.com')
            [CompletionResult]::new('--pcap', '--pcap', [CompletionResultType]::ParameterName, 'Write every SIP message sent and received (and keep-alives) to FILE as a pcap capture for Wireshark or sngrep; TLS and WSS as their clear SIP over TCP')
            [CompletionResult]::new('--hep', '--hep', [CompletionResultType]::ParameterName, 'Send every SIP message sent and received as HEPv3 over UDP to a Homer capture server at ADDR:PORT (IP address and port)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format (bulk mode: of the summary)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format (bulk mode: of the summary)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust this PEM CA certificate (TLS, WSS) besides the system''s roots')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Check the registrar''s TLS certificate against NAME and send it as SNI, whatever address -r leads to (e.g. -r sips:192.0.2.1 --tls-server-name pbx.example.com)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate for TLS and WSS (PEM, the chain from the leaf up), for registrars that authenticate clients by certificate (needs --key)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The private key of --cert (PEM); only its owner may read the file')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'DNS server for locating the registrar (RFC 3263), e.g. 127.0.0.1:5353')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'New transactions per second, paced evenly')
            [CompletionResult]::new('--ramp', '--ramp', [CompletionResultType]::ParameterName, 'A gradual start instead of --rate: new transactions per second rise linearly from FROM to TO over DURATION, then stay at TO; the first starts at once even from 0, e.g. ''0..5000/s over 60s''')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'At most this many transactions in flight')
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'Stay registered this long, then unregister all and exit')
            [CompletionResult]::new('--keepalive', '--keepalive', [CompletionResultType]::ParameterName, 'Staying mode: keep-alives this often per AOR, CRLF ping on TCP/TLS, STUN on UDP (RFC 5626)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Requested expiry')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, 'Requested expiry')
            [CompletionResult]::new('--sockets', '--sockets', [CompletionResultType]::ParameterName, 'UDP sockets to spread the population over')
            [CompletionResult]::new('--connections', '--connections', [CompletionResultType]::ParameterName, 'Stream connections (TCP, TLS, WS, WSS) shared by the population, AOR i on connection i % N (default: one per AOR)')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'Only the I-th of N slices of the population (I from 1 to N), e.g. 2/4; auto/N takes I from JOB_COMPLETION_INDEX + 1, as set in the pods of a Kubernetes Indexed Job')
            [CompletionResult]::new('--metrics', '--metrics', [CompletionResultType]::ParameterName, 'Serve Prometheus metrics at http://ADDR:PORT/metrics during the run (PORT alone: on 127.0.0.1)')
            [CompletionResult]::new('--expect-success-rate', '--expect-success-rate', [CompletionResultType]::ParameterName, 'At least this share of the population must succeed, e.g. 99.9%')
            [CompletionResult]::new('--expect-p50', '--expect-p50', [CompletionResultType]::ParameterName, 'Median latency at most this, e.g. 20ms')
            [CompletionResult]::new('--expect-p90', '--expect-p90', [CompletionResultType]::ParameterName, '90th-percentile latency at most this')
            [CompletionResult]::new('--expect-p99', '--expect-p99', [CompletionResultType]::ParameterName, '99th-percentile latency at most this, e.g. 50ms')
            [CompletionResult]::new('--expect-max', '--expect-max', [CompletionResultType]::ParameterName, 'Longest latency at most this')
            [CompletionResult]::new('--expect-rate', '--expect-rate', [CompletionResultType]::ParameterName, 'Operations started per second at least this, e.g. 500/s')
            [CompletionResult]::new('--start-at', '--start-at', [CompletionResultType]::ParameterName, 'Begin at this instant (RFC 3339, e.g. 2026-12-06T10:00:00Z, or Unix seconds), so that generators started at different moments load the registrar together')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Print what happened in each interval of this length (JSON: one bulk_interval object per line), counted from the start')
            [CompletionResult]::new('--answer', '--answer', [CompletionResultType]::ParameterName, 'Final response to an incoming INVITE, after 100 Trying (default 480; 486, 603 and 404 are common). sipreg sets up no calls, so not a 2xx')
            [CompletionResult]::new('--ring', '--ring', [CompletionResultType]::ParameterName, 'Let an incoming INVITE ring this long before that answer (a CANCEL meanwhile gets 200 and the INVITE 487)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing; only the exit status tells')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing; only the exit status tells')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the registrar''s TLS certificate (dangerous; for tests only)')
            [CompletionResult]::new('--once', '--once', [CompletionResultType]::ParameterName, 'Register each once and exit (bulk register)')
            [CompletionResult]::new('--expect-reachable', '--expect-reachable', [CompletionResultType]::ParameterName, 'Probe each AOR once after it registers: an OPTIONS for it sent to the registrar must arrive at its contact; the summary counts reachable AORs')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sipreg;bulk;query' {
            [CompletionResult]::new('--users', '--users', [CompletionResultType]::ParameterName, 'CSV file with a header line: aor,user,password[,contact] (quoted fields allowed)')
            [CompletionResult]::new('--aor', '--aor', [CompletionResultType]::ParameterName, 'AOR template, e.g. ''sip:bench{n:04}@example.test''')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'How many AORs the template makes')
            [CompletionResult]::new('--first', '--first', [CompletionResultType]::ParameterName, 'First value of {n}')
            [CompletionResult]::new('--password-template', '--password-template', [CompletionResultType]::ParameterName, 'Password template, e.g. ''pw{n:04}''')
            [CompletionResult]::new('--user-template', '--user-template', [CompletionResultType]::ParameterName, 'Auth user template (default: each AOR''s user part)')
            [CompletionResult]::new('--contact-template', '--contact-template', [CompletionResultType]::ParameterName, 'Contact template (default: sip:USER@LOCAL-ADDRESS:PORT)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Where to send requests (default: the AOR''s domain)')
            [CompletionResult]::new('--registrar', '--registrar', [CompletionResultType]::ParameterName, 'Where to send requests (default: the AOR''s domain)')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Outbound proxy, sent as a loose Route')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Authentication user name (default: the AOR''s user part)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Authentication user name (default: the AOR''s user part)')
            [CompletionResult]::new('--realm', '--realm', [CompletionResultType]::ParameterName, 'Answer challenges for this realm only')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Transport')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'Transport')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Local address to bind: IP or IP:PORT. Bulk mode: several source addresses, AOR i from address i % n, repeated or comma-separated, each IP[:PORT], a CIDR block (127.0.0.2/31) or a range (127.0.0.2-127.0.0.5, 127.0.0.2-5); UDP binds at least one socket per address; further sockets or connections on an address with a PORT take PORT+1, …')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request after this long (default 32s, 64*T1)')
            [CompletionResult]::new('--user-agent', '--user-agent', [CompletionResultType]::ParameterName, 'User-Agent header value (default: sipreg/VERSION)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Add this header to every request, e.g. -H ''X-Tenant: 42'' (repeatable; not one sipreg writes itself)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Add this header to every request, e.g. -H ''X-Tenant: 42'' (repeatable; not one sipreg writes itself)')
            [CompletionResult]::new('--display-name', '--display-name', [CompletionResultType]::ParameterName, 'Display name in From and To, e.g. --display-name ''Alice Smith''')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'Origin to send on the WebSocket upgrade (ws, wss), e.g. https://phone.example.com')
            [CompletionResult]::new('--pcap', '--pcap', [CompletionResultType]::ParameterName, 'Write every SIP message sent and received (and keep-alives) to FILE as a pcap capture for Wireshark or sngrep; TLS and WSS as their clear SIP over TCP')
            [CompletionResult]::new('--hep', '--hep', [CompletionResultType]::ParameterName, 'Send every SIP message sent and received as HEPv3 over UDP to a Homer capture server at ADDR:PORT (IP address and port)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format (bulk mode: of the summary)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format (bulk mode: of the summary)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust this PEM CA certificate (TLS, WSS) besides the system''s roots')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Check the registrar''s TLS certificate against NAME and send it as SNI, whatever address -r leads to (e.g. -r sips:192.0.2.1 --tls-server-name pbx.example.com)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate for TLS and WSS (PEM, the chain from the leaf up), for registrars that authenticate clients by certificate (needs --key)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The private key of --cert (PEM); only its owner may read the file')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'DNS server for locating the registrar (RFC 3263), e.g. 127.0.0.1:5353')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'New transactions per second, paced evenly')
            [CompletionResult]::new('--ramp', '--ramp', [CompletionResultType]::ParameterName, 'A gradual start instead of --rate: new transactions per second rise linearly from FROM to TO over DURATION, then stay at TO; the first starts at once even from 0, e.g. ''0..5000/s over 60s''')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'At most this many transactions in flight')
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'Stay registered this long, then unregister all and exit')
            [CompletionResult]::new('--keepalive', '--keepalive', [CompletionResultType]::ParameterName, 'Staying mode: keep-alives this often per AOR, CRLF ping on TCP/TLS, STUN on UDP (RFC 5626)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Requested expiry')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, 'Requested expiry')
            [CompletionResult]::new('--sockets', '--sockets', [CompletionResultType]::ParameterName, 'UDP sockets to spread the population over')
            [CompletionResult]::new('--connections', '--connections', [CompletionResultType]::ParameterName, 'Stream connections (TCP, TLS, WS, WSS) shared by the population, AOR i on connection i % N (default: one per AOR)')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'Only the I-th of N slices of the population (I from 1 to N), e.g. 2/4; auto/N takes I from JOB_COMPLETION_INDEX + 1, as set in the pods of a Kubernetes Indexed Job')
            [CompletionResult]::new('--metrics', '--metrics', [CompletionResultType]::ParameterName, 'Serve Prometheus metrics at http://ADDR:PORT/metrics during the run (PORT alone: on 127.0.0.1)')
            [CompletionResult]::new('--expect-success-rate', '--expect-success-rate', [CompletionResultType]::ParameterName, 'At least this share of the population must succeed, e.g. 99.9%')
            [CompletionResult]::new('--expect-p50', '--expect-p50', [CompletionResultType]::ParameterName, 'Median latency at most this, e.g. 20ms')
            [CompletionResult]::new('--expect-p90', '--expect-p90', [CompletionResultType]::ParameterName, '90th-percentile latency at most this')
            [CompletionResult]::new('--expect-p99', '--expect-p99', [CompletionResultType]::ParameterName, '99th-percentile latency at most this, e.g. 50ms')
            [CompletionResult]::new('--expect-max', '--expect-max', [CompletionResultType]::ParameterName, 'Longest latency at most this')
            [CompletionResult]::new('--expect-rate', '--expect-rate', [CompletionResultType]::ParameterName, 'Operations started per second at least this, e.g. 500/s')
            [CompletionResult]::new('--start-at', '--start-at', [CompletionResultType]::ParameterName, 'Begin at this instant (RFC 3339, e.g. 2026-12-06T10:00:00Z, or Unix seconds), so that generators started at different moments load the registrar together')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Print what happened in each interval of this length (JSON: one bulk_interval object per line), counted from the start')
            [CompletionResult]::new('--answer', '--answer', [CompletionResultType]::ParameterName, 'Final response to an incoming INVITE, after 100 Trying (default 480; 486, 603 and 404 are common). sipreg sets up no calls, so not a 2xx')
            [CompletionResult]::new('--ring', '--ring', [CompletionResultType]::ParameterName, 'Let an incoming INVITE ring this long before that answer (a CANCEL meanwhile gets 200 and the INVITE 487)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing; only the exit status tells')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing; only the exit status tells')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the registrar''s TLS certificate (dangerous; for tests only)')
            [CompletionResult]::new('--once', '--once', [CompletionResultType]::ParameterName, 'Register each once and exit (bulk register)')
            [CompletionResult]::new('--expect-reachable', '--expect-reachable', [CompletionResultType]::ParameterName, 'Probe each AOR once after it registers: an OPTIONS for it sent to the registrar must arrive at its contact; the summary counts reachable AORs')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sipreg;bulk;unregister' {
            [CompletionResult]::new('--users', '--users', [CompletionResultType]::ParameterName, 'CSV file with a header line: aor,user,password[,contact] (quoted fields allowed)')
            [CompletionResult]::new('--aor', '--aor', [CompletionResultType]::ParameterName, 'AOR template, e.g. ''sip:bench{n:04}@example.test''')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'How many AORs the template makes')
            [CompletionResult]::new('--first', '--first', [CompletionResultType]::ParameterName, 'First value of {n}')
            [CompletionResult]::new('--password-template', '--password-template', [CompletionResultType]::ParameterName, 'Password template, e.g. ''pw{n:04}''')
            [CompletionResult]::new('--user-template', '--user-template', [CompletionResultType]::ParameterName, 'Auth user template (default: each AOR''s user part)')
            [CompletionResult]::new('--contact-template', '--contact-template', [CompletionResultType]::ParameterName, 'Contact template (default: sip:USER@LOCAL-ADDRESS:PORT)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Where to send requests (default: the AOR''s domain)')
            [CompletionResult]::new('--registrar', '--registrar', [CompletionResultType]::ParameterName, 'Where to send requests (default: the AOR''s domain)')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Outbound proxy, sent as a loose Route')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Authentication user name (default: the AOR''s user part)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Authentication user name (default: the AOR''s user part)')
            [CompletionResult]::new('--realm', '--realm', [CompletionResultType]::ParameterName, 'Answer challenges for this realm only')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Transport')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'Transport')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Local address to bind: IP or IP:PORT. Bulk mode: several source addresses, AOR i from address i % n, repeated or comma-separated, each IP[:PORT], a CIDR block (127.0.0.2/31) or a range (127.0.0.2-127.0.0.5, 127.0.0.2-5); UDP binds at least one socket per address; further sockets or connections on an address with a PORT take PORT+1, …')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request after this long (default 32s, 64*T1)')
            [CompletionResult]::new('--user-agent', '--user-agent', [CompletionResultType]::ParameterName, 'User-Agent header value (default: sipreg/VERSION)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Add this header to every request, e.g. -H ''X-Tenant: 42'' (repeatable; not one sipreg writes itself)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Add this header to every request, e.g. -H ''X-Tenant: 42'' (repeatable; not one sipreg writes itself)')
            [CompletionResult]::new('--display-name', '--display-name', [CompletionResultType]::ParameterName, 'Display name in From and To, e.g. --display-name ''Alice Smith''')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'Origin to send on the WebSocket upgrade (ws, wss), e.g. https://phone.example.com')
            [CompletionResult]::new('--pcap', '--pcap', [CompletionResultType]::ParameterName, 'Write every SIP message sent and received (and keep-alives) to FILE as a pcap capture for Wireshark or sngrep; TLS and WSS as their clear SIP over TCP')
            [CompletionResult]::new('--hep', '--hep', [CompletionResultType]::ParameterName, 'Send every SIP message sent and received as HEPv3 over UDP to a Homer capture server at ADDR:PORT (IP address and port)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format (bulk mode: of the summary)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format (bulk mode: of the summary)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust this PEM CA certificate (TLS, WSS) besides the system''s roots')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Check the registrar''s TLS certificate against NAME and send it as SNI, whatever address -r leads to (e.g. -r sips:192.0.2.1 --tls-server-name pbx.example.com)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate for TLS and WSS (PEM, the chain from the leaf up), for registrars that authenticate clients by certificate (needs --key)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The private key of --cert (PEM); only its owner may read the file')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'DNS server for locating the registrar (RFC 3263), e.g. 127.0.0.1:5353')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'New transactions per second, paced evenly')
            [CompletionResult]::new('--ramp', '--ramp', [CompletionResultType]::ParameterName, 'A gradual start instead of --rate: new transactions per second rise linearly from FROM to TO over DURATION, then stay at TO; the first starts at once even from 0, e.g. ''0..5000/s over 60s''')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'At most this many transactions in flight')
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'Stay registered this long, then unregister all and exit')
            [CompletionResult]::new('--keepalive', '--keepalive', [CompletionResultType]::ParameterName, 'Staying mode: keep-alives this often per AOR, CRLF ping on TCP/TLS, STUN on UDP (RFC 5626)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Requested expiry')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, 'Requested expiry')
            [CompletionResult]::new('--sockets', '--sockets', [CompletionResultType]::ParameterName, 'UDP sockets to spread the population over')
            [CompletionResult]::new('--connections', '--connections', [CompletionResultType]::ParameterName, 'Stream connections (TCP, TLS, WS, WSS) shared by the population, AOR i on connection i % N (default: one per AOR)')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'Only the I-th of N slices of the population (I from 1 to N), e.g. 2/4; auto/N takes I from JOB_COMPLETION_INDEX + 1, as set in the pods of a Kubernetes Indexed Job')
            [CompletionResult]::new('--metrics', '--metrics', [CompletionResultType]::ParameterName, 'Serve Prometheus metrics at http://ADDR:PORT/metrics during the run (PORT alone: on 127.0.0.1)')
            [CompletionResult]::new('--expect-success-rate', '--expect-success-rate', [CompletionResultType]::ParameterName, 'At least this share of the population must succeed, e.g. 99.9%')
            [CompletionResult]::new('--expect-p50', '--expect-p50', [CompletionResultType]::ParameterName, 'Median latency at most this, e.g. 20ms')
            [CompletionResult]::new('--expect-p90', '--expect-p90', [CompletionResultType]::ParameterName, '90th-percentile latency at most this')
            [CompletionResult]::new('--expect-p99', '--expect-p99', [CompletionResultType]::ParameterName, '99th-percentile latency at most this, e.g. 50ms')
            [CompletionResult]::new('--expect-max', '--expect-max', [CompletionResultType]::ParameterName, 'Longest latency at most this')
            [CompletionResult]::new('--expect-rate', '--expect-rate', [CompletionResultType]::ParameterName, 'Operations started per second at least this, e.g. 500/s')
            [CompletionResult]::new('--start-at', '--start-at', [CompletionResultType]::ParameterName, 'Begin at this instant (RFC 3339, e.g. 2026-12-06T10:00:00Z, or Unix seconds), so that generators started at different moments load the registrar together')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Print what happened in each interval of this length (JSON: one bulk_interval object per line), counted from the start')
            [CompletionResult]::new('--answer', '--answer', [CompletionResultType]::ParameterName, 'Final response to an incoming INVITE, after 100 Trying (default 480; 486, 603 and 404 are common). sipreg sets up no calls, so not a 2xx')
            [CompletionResult]::new('--ring', '--ring', [CompletionResultType]::ParameterName, 'Let an incoming INVITE ring this long before that answer (a CANCEL meanwhile gets 200 and the INVITE 487)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing; only the exit status tells')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing; only the exit status tells')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the registrar''s TLS certificate (dangerous; for tests only)')
            [CompletionResult]::new('--once', '--once', [CompletionResultType]::ParameterName, 'Register each once and exit (bulk register)')
            [CompletionResult]::new('--expect-reachable', '--expect-reachable', [CompletionResultType]::ParameterName, 'Probe each AOR once after it registers: an OPTIONS for it sent to the registrar must arrive at its contact; the summary counts reachable AORs')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sipreg;bulk;merge' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--expect-success-rate', '--expect-success-rate', [CompletionResultType]::ParameterName, 'At least this share of the population must succeed, e.g. 99.9%')
            [CompletionResult]::new('--expect-p50', '--expect-p50', [CompletionResultType]::ParameterName, 'Median latency at most this, e.g. 20ms')
            [CompletionResult]::new('--expect-p90', '--expect-p90', [CompletionResultType]::ParameterName, '90th-percentile latency at most this')
            [CompletionResult]::new('--expect-p99', '--expect-p99', [CompletionResultType]::ParameterName, '99th-percentile latency at most this, e.g. 50ms')
            [CompletionResult]::new('--expect-max', '--expect-max', [CompletionResultType]::ParameterName, 'Longest latency at most this')
            [CompletionResult]::new('--expect-rate', '--expect-rate', [CompletionResultType]::ParameterName, 'Operations started per second at least this, e.g. 500/s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Same as -o json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing; the exit status tells')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing; the exit status tells')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sipreg;bulk;help' {
            [CompletionResult]::new('register', 'register', [CompletionResultType]::ParameterValue, 'Register every AOR (--once: once each; otherwise keep them refreshed)')
            [CompletionResult]::new('query', 'query', [CompletionResultType]::ParameterValue, 'Query every AOR''s bindings')
            [CompletionResult]::new('unregister', 'unregister', [CompletionResultType]::ParameterValue, 'Remove every AOR''s bindings')
            [CompletionResult]::new('merge', 'merge', [CompletionResultType]::ParameterValue, 'Add up the JSON output of the shards of one load test (their summaries and --interval lines) into one summary, as if one machine had run it')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'sipreg;bulk;help;register' {
            break
        }
        'sipreg;bulk;help;query' {
            break
        }
        'sipreg;bulk;help;unregister' {
            break
        }
        'sipreg;bulk;help;merge' {
            break
        }
        'sipreg;bulk;help;help' {
            break
        }
        'sipreg;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'sipreg;man' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'sipreg;help' {
            [CompletionResult]::new('register', 'register', [CompletionResultType]::ParameterValue, 'Bind a contact and keep it refreshed until interrupted, then remove it (--once: bind and exit)')
            [CompletionResult]::new('query', 'query', [CompletionResultType]::ParameterValue, 'List the bindings of an address-of-record (REGISTER without Contact)')
            [CompletionResult]::new('unregister', 'unregister', [CompletionResultType]::ParameterValue, 'Remove our contact, the one given with --contact, or every binding with --all')
            [CompletionResult]::new('profiles', 'profiles', [CompletionResultType]::ParameterValue, 'List the profiles of the config file (no secrets shown)')
            [CompletionResult]::new('bulk', 'bulk', [CompletionResultType]::ParameterValue, 'Register, query or unregister many AORs at a chosen rate (load tests)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'sipreg;help;register' {
            break
        }
        'sipreg;help;query' {
            break
        }
        'sipreg;help;unregister' {
            break
        }
        'sipreg;help;profiles' {
            break
        }
        'sipreg;help;bulk' {
            [CompletionResult]::new('register', 'register', [CompletionResultType]::ParameterValue, 'Register every AOR (--once: once each; otherwise keep them refreshed)')
            [CompletionResult]::new('query', 'query', [CompletionResultType]::ParameterValue, 'Query every AOR''s bindings')
            [CompletionResult]::new('unregister', 'unregister', [CompletionResultType]::ParameterValue, 'Remove every AOR''s bindings')
            [CompletionResult]::new('merge', 'merge', [CompletionResultType]::ParameterValue, 'Add up the JSON output of the shards of one load test (their summaries and --interval lines) into one summary, as if one machine had run it')
            break
        }
        'sipreg;help;bulk;register' {
            break
        }
        'sipreg;help;bulk;query' {
            break
        }
        'sipreg;help;bulk;unregister' {
            break
        }
        'sipreg;help;bulk;merge' {
            break
        }
        'sipreg;help;completions' {
            break
        }
        'sipreg;help;man' {
            break
        }
        'sipreg;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
