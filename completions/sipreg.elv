
use builtin;
use str;

set edit:completion:arg-completer[sipreg] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'sipreg'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'sipreg'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand register 'Bind a contact and keep it refreshed until interrupted, then remove it (--once: bind and exit)'
            cand query 'List the bindings of an address-of-record (REGISTER without Contact)'
            cand unregister 'Remove our contact, the one given with --contact, or every binding with --all'
            cand profiles 'List the profiles of the config file (no secrets shown)'
            cand bulk 'Register, query or unregister many AORs at a chosen rate (load tests)'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'sipreg;register'= {
            cand -r 'Where to send requests (default: the AOR''s domain)'
            cand --registrar 'Where to send requests (default: the AOR''s domain)'
            cand --proxy 'Outbound proxy, sent as a loose Route'
            cand -u 'Authentication user name (default: the AOR''s user part)'
            cand --user 'Authentication user name (default: the AOR''s user part)'
            cand --realm 'Answer challenges for this realm only'
            cand -t 'Transport'
            cand --transport 'Transport'
            cand --local 'Local address to bind: IP or IP:PORT (bulk mode: each further socket or connection PORT+1, …)'
            cand --timeout 'Give up on a request after this long (default 32s, 64*T1)'
            cand --user-agent 'User-Agent header value (default: sipreg/VERSION)'
            cand -o 'Output format (bulk mode: of the summary)'
            cand --output 'Output format (bulk mode: of the summary)'
            cand --ca-file 'Trust this PEM CA certificate (TLS, WSS) besides the system''s roots'
            cand --tls-server-name 'Check the registrar''s TLS certificate against NAME and send it as SNI, whatever address -r leads to (e.g. -r sips:192.0.2.1 --tls-server-name pbx.example.com)'
            cand --dns-server 'DNS server for locating the registrar (RFC 3263), e.g. 127.0.0.1:5353'
            cand --profile 'Use this profile of the config file (also: AOR given as @NAME)'
            cand --config 'Config file with profiles (default: $XDG_CONFIG_HOME/sipreg/config.toml)'
            cand --max-time 'Give up on the whole command after this long (challenges and retransmissions included)'
            cand -p 'Password on the command line (visible to ps: prefer the options below)'
            cand --password 'Password on the command line (visible to ps: prefer the options below)'
            cand --password-file 'Read the password from the first line of this file'
            cand --ha1 'HA1 = H(user:realm:password) in hex instead of a password'
            cand -c 'Contact URI to bind (default: sip:USER@LOCAL-ADDRESS:PORT of the socket used)'
            cand --contact 'Contact URI to bind (default: sip:USER@LOCAL-ADDRESS:PORT of the socket used)'
            cand -e 'Requested expiry, e.g. 3600, 10m, 1h (default: the profile''s, else 3600)'
            cand --expires 'Requested expiry, e.g. 3600, 10m, 1h (default: the profile''s, else 3600)'
            cand --for 'Stay registered this long, then unregister and exit'
            cand --q 'Contact q value (0 to 1)'
            cand --instance '+sip.instance URN (RFC 5626), e.g. urn:uuid:...'
            cand --reg-id 'reg-id (RFC 5626)'
            cand --keepalive 'Send keep-alives this often: CRLF ping on TCP/TLS/WS, STUN on UDP (RFC 5626)'
            cand --answer 'Final response to an incoming INVITE, after 100 Trying (default 480; 486, 603 and 404 are common). sipreg sets up no calls, so not a 2xx'
            cand --ring 'Let an incoming INVITE ring this long before that answer (a CANCEL meanwhile gets 200 and the INVITE 487)'
            cand --probe-every 'While registered, check this often that an OPTIONS for the AOR sent to the registrar arrives at our contact (a `probed` event each time)'
            cand --expect-status 'The final SIP status must be CODE'
            cand --expect-bindings 'Number of bindings: N, >=N or <=N'
            cand --expect-contact 'A binding with this contact must be present (compared as URIs, RFC 3261 19.1.4)'
            cand --expect-expires-at-least 'Our binding must be granted at least this long'
            cand --warning-time '-o nagios: WARNING when the answer took longer than this'
            cand --critical-time '-o nagios: CRITICAL when the answer took longer than this'
            cand --json 'Short for --output json'
            cand -v '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)'
            cand --verbose '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)'
            cand -q 'Print nothing; only the exit status tells'
            cand --quiet 'Print nothing; only the exit status tells'
            cand --insecure 'Do not verify the registrar''s TLS certificate (dangerous; for tests only)'
            cand --dry-run 'Print the first REGISTER exactly as it would be sent, and exit without sending'
            cand --password-stdin 'Read the password from the first line of standard input'
            cand --once 'Register once and exit, leaving the binding in place'
            cand --keep-binding 'Leave the binding in place when exiting'
            cand --nat-rewrite 'Re-register with the address the registrar saw (Via received/rport) when it differs from our Contact (default: on for the default contact, off with --contact)'
            cand --no-nat-rewrite 'Never rewrite the Contact after NAT detection'
            cand --retry-auth 'Keep retrying with back-off after authentication failures instead of exiting 3'
            cand --expect-reachable 'After registering, an OPTIONS for the AOR sent to the registrar must arrive at our contact and our answer come back (register --once)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sipreg;query'= {
            cand -r 'Where to send requests (default: the AOR''s domain)'
            cand --registrar 'Where to send requests (default: the AOR''s domain)'
            cand --proxy 'Outbound proxy, sent as a loose Route'
            cand -u 'Authentication user name (default: the AOR''s user part)'
            cand --user 'Authentication user name (default: the AOR''s user part)'
            cand --realm 'Answer challenges for this realm only'
            cand -t 'Transport'
            cand --transport 'Transport'
            cand --local 'Local address to bind: IP or IP:PORT (bulk mode: each further socket or connection PORT+1, …)'
            cand --timeout 'Give up on a request after this long (default 32s, 64*T1)'
            cand --user-agent 'User-Agent header value (default: sipreg/VERSION)'
            cand -o 'Output format (bulk mode: of the summary)'
            cand --output 'Output format (bulk mode: of the summary)'
            cand --ca-file 'Trust this PEM CA certificate (TLS, WSS) besides the system''s roots'
            cand --tls-server-name 'Check the registrar''s TLS certificate against NAME and send it as SNI, whatever address -r leads to (e.g. -r sips:192.0.2.1 --tls-server-name pbx.example.com)'
            cand --dns-server 'DNS server for locating the registrar (RFC 3263), e.g. 127.0.0.1:5353'
            cand --profile 'Use this profile of the config file (also: AOR given as @NAME)'
            cand --config 'Config file with profiles (default: $XDG_CONFIG_HOME/sipreg/config.toml)'
            cand --max-time 'Give up on the whole command after this long (challenges and retransmissions included)'
            cand -p 'Password on the command line (visible to ps: prefer the options below)'
            cand --password 'Password on the command line (visible to ps: prefer the options below)'
            cand --password-file 'Read the password from the first line of this file'
            cand --ha1 'HA1 = H(user:realm:password) in hex instead of a password'
            cand --expect-status 'The final SIP status must be CODE'
            cand --expect-bindings 'Number of bindings: N, >=N or <=N'
            cand --expect-contact 'A binding with this contact must be present (compared as URIs, RFC 3261 19.1.4)'
            cand --expect-expires-at-least 'Our binding must be granted at least this long'
            cand --warning-time '-o nagios: WARNING when the answer took longer than this'
            cand --critical-time '-o nagios: CRITICAL when the answer took longer than this'
            cand --json 'Short for --output json'
            cand -v '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)'
            cand --verbose '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)'
            cand -q 'Print nothing; only the exit status tells'
            cand --quiet 'Print nothing; only the exit status tells'
            cand --insecure 'Do not verify the registrar''s TLS certificate (dangerous; for tests only)'
            cand --dry-run 'Print the first REGISTER exactly as it would be sent, and exit without sending'
            cand --password-stdin 'Read the password from the first line of standard input'
            cand --expect-reachable 'After registering, an OPTIONS for the AOR sent to the registrar must arrive at our contact and our answer come back (register --once)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sipreg;unregister'= {
            cand -r 'Where to send requests (default: the AOR''s domain)'
            cand --registrar 'Where to send requests (default: the AOR''s domain)'
            cand --proxy 'Outbound proxy, sent as a loose Route'
            cand -u 'Authentication user name (default: the AOR''s user part)'
            cand --user 'Authentication user name (default: the AOR''s user part)'
            cand --realm 'Answer challenges for this realm only'
            cand -t 'Transport'
            cand --transport 'Transport'
            cand --local 'Local address to bind: IP or IP:PORT (bulk mode: each further socket or connection PORT+1, …)'
            cand --timeout 'Give up on a request after this long (default 32s, 64*T1)'
            cand --user-agent 'User-Agent header value (default: sipreg/VERSION)'
            cand -o 'Output format (bulk mode: of the summary)'
            cand --output 'Output format (bulk mode: of the summary)'
            cand --ca-file 'Trust this PEM CA certificate (TLS, WSS) besides the system''s roots'
            cand --tls-server-name 'Check the registrar''s TLS certificate against NAME and send it as SNI, whatever address -r leads to (e.g. -r sips:192.0.2.1 --tls-server-name pbx.example.com)'
            cand --dns-server 'DNS server for locating the registrar (RFC 3263), e.g. 127.0.0.1:5353'
            cand --profile 'Use this profile of the config file (also: AOR given as @NAME)'
            cand --config 'Config file with profiles (default: $XDG_CONFIG_HOME/sipreg/config.toml)'
            cand --max-time 'Give up on the whole command after this long (challenges and retransmissions included)'
            cand -p 'Password on the command line (visible to ps: prefer the options below)'
            cand --password 'Password on the command line (visible to ps: prefer the options below)'
            cand --password-file 'Read the password from the first line of this file'
            cand --ha1 'HA1 = H(user:realm:password) in hex instead of a password'
            cand -c 'Remove this contact instead of our own'
            cand --contact 'Remove this contact instead of our own'
            cand --json 'Short for --output json'
            cand -v '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)'
            cand --verbose '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)'
            cand -q 'Print nothing; only the exit status tells'
            cand --quiet 'Print nothing; only the exit status tells'
            cand --insecure 'Do not verify the registrar''s TLS certificate (dangerous; for tests only)'
            cand --dry-run 'Print the first REGISTER exactly as it would be sent, and exit without sending'
            cand --password-stdin 'Read the password from the first line of standard input'
            cand --all 'Remove every binding of the AOR (Contact: *, Expires: 0)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sipreg;profiles'= {
            cand --config 'Config file (default: $XDG_CONFIG_HOME/sipreg/config.toml)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'sipreg;bulk'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand register 'Register every AOR (--once: once each; otherwise keep them refreshed)'
            cand query 'Query every AOR''s bindings'
            cand unregister 'Remove every AOR''s bindings'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'sipreg;bulk;register'= {
            cand --users 'CSV file with a header line: aor,user,password[,contact] (quoted fields allowed)'
            cand --aor 'AOR template, e.g. ''sip:bench{n:04}@example.test'''
            cand --count 'How many AORs the template makes'
            cand --first 'First value of {n}'
            cand --password-template 'Password template, e.g. ''pw{n:04}'''
            cand --user-template 'Auth user template (default: each AOR''s user part)'
            cand --contact-template 'Contact template (default: sip:USER@LOCAL-ADDRESS:PORT)'
            cand -r 'Where to send requests (default: the AOR''s domain)'
            cand --registrar 'Where to send requests (default: the AOR''s domain)'
            cand --proxy 'Outbound proxy, sent as a loose Route'
            cand -u 'Authentication user name (default: the AOR''s user part)'
            cand --user 'Authentication user name (default: the AOR''s user part)'
            cand --realm 'Answer challenges for this realm only'
            cand -t 'Transport'
            cand --transport 'Transport'
            cand --local 'Local address to bind: IP or IP:PORT (bulk mode: each further socket or connection PORT+1, …)'
            cand --timeout 'Give up on a request after this long (default 32s, 64*T1)'
            cand --user-agent 'User-Agent header value (default: sipreg/VERSION)'
            cand -o 'Output format (bulk mode: of the summary)'
            cand --output 'Output format (bulk mode: of the summary)'
            cand --ca-file 'Trust this PEM CA certificate (TLS, WSS) besides the system''s roots'
            cand --tls-server-name 'Check the registrar''s TLS certificate against NAME and send it as SNI, whatever address -r leads to (e.g. -r sips:192.0.2.1 --tls-server-name pbx.example.com)'
            cand --dns-server 'DNS server for locating the registrar (RFC 3263), e.g. 127.0.0.1:5353'
            cand --rate 'New transactions per second, paced evenly'
            cand --concurrency 'At most this many transactions in flight'
            cand --for 'Stay registered this long, then unregister all and exit'
            cand --keepalive 'Staying mode: keep-alives this often per AOR, CRLF ping on TCP/TLS, STUN on UDP (RFC 5626)'
            cand -e 'Requested expiry'
            cand --expires 'Requested expiry'
            cand --sockets 'UDP sockets to spread the population over'
            cand --connections 'Stream connections (TCP, TLS, WS, WSS) shared by the population, AOR i on connection i % N (default: one per AOR)'
            cand --shard 'Only the I-th of N slices of the population (I from 1 to N), e.g. 2/4'
            cand --answer 'Final response to an incoming INVITE, after 100 Trying (default 480; 486, 603 and 404 are common). sipreg sets up no calls, so not a 2xx'
            cand --ring 'Let an incoming INVITE ring this long before that answer (a CANCEL meanwhile gets 200 and the INVITE 487)'
            cand --json 'Short for --output json'
            cand -v '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)'
            cand --verbose '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)'
            cand -q 'Print nothing; only the exit status tells'
            cand --quiet 'Print nothing; only the exit status tells'
            cand --insecure 'Do not verify the registrar''s TLS certificate (dangerous; for tests only)'
            cand --once 'Register each once and exit (bulk register)'
            cand --expect-reachable 'Probe each AOR once after it registers: an OPTIONS for it sent to the registrar must arrive at its contact; the summary counts reachable AORs'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sipreg;bulk;query'= {
            cand --users 'CSV file with a header line: aor,user,password[,contact] (quoted fields allowed)'
            cand --aor 'AOR template, e.g. ''sip:bench{n:04}@example.test'''
            cand --count 'How many AORs the template makes'
            cand --first 'First value of {n}'
            cand --password-template 'Password template, e.g. ''pw{n:04}'''
            cand --user-template 'Auth user template (default: each AOR''s user part)'
            cand --contact-template 'Contact template (default: sip:USER@LOCAL-ADDRESS:PORT)'
            cand -r 'Where to send requests (default: the AOR''s domain)'
            cand --registrar 'Where to send requests (default: the AOR''s domain)'
            cand --proxy 'Outbound proxy, sent as a loose Route'
            cand -u 'Authentication user name (default: the AOR''s user part)'
            cand --user 'Authentication user name (default: the AOR''s user part)'
            cand --realm 'Answer challenges for this realm only'
            cand -t 'Transport'
            cand --transport 'Transport'
            cand --local 'Local address to bind: IP or IP:PORT (bulk mode: each further socket or connection PORT+1, …)'
            cand --timeout 'Give up on a request after this long (default 32s, 64*T1)'
            cand --user-agent 'User-Agent header value (default: sipreg/VERSION)'
            cand -o 'Output format (bulk mode: of the summary)'
            cand --output 'Output format (bulk mode: of the summary)'
            cand --ca-file 'Trust this PEM CA certificate (TLS, WSS) besides the system''s roots'
            cand --tls-server-name 'Check the registrar''s TLS certificate against NAME and send it as SNI, whatever address -r leads to (e.g. -r sips:192.0.2.1 --tls-server-name pbx.example.com)'
            cand --dns-server 'DNS server for locating the registrar (RFC 3263), e.g. 127.0.0.1:5353'
            cand --rate 'New transactions per second, paced evenly'
            cand --concurrency 'At most this many transactions in flight'
            cand --for 'Stay registered this long, then unregister all and exit'
            cand --keepalive 'Staying mode: keep-alives this often per AOR, CRLF ping on TCP/TLS, STUN on UDP (RFC 5626)'
            cand -e 'Requested expiry'
            cand --expires 'Requested expiry'
            cand --sockets 'UDP sockets to spread the population over'
            cand --connections 'Stream connections (TCP, TLS, WS, WSS) shared by the population, AOR i on connection i % N (default: one per AOR)'
            cand --shard 'Only the I-th of N slices of the population (I from 1 to N), e.g. 2/4'
            cand --answer 'Final response to an incoming INVITE, after 100 Trying (default 480; 486, 603 and 404 are common). sipreg sets up no calls, so not a 2xx'
            cand --ring 'Let an incoming INVITE ring this long before that answer (a CANCEL meanwhile gets 200 and the INVITE 487)'
            cand --json 'Short for --output json'
            cand -v '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)'
            cand --verbose '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)'
            cand -q 'Print nothing; only the exit status tells'
            cand --quiet 'Print nothing; only the exit status tells'
            cand --insecure 'Do not verify the registrar''s TLS certificate (dangerous; for tests only)'
            cand --once 'Register each once and exit (bulk register)'
            cand --expect-reachable 'Probe each AOR once after it registers: an OPTIONS for it sent to the registrar must arrive at its contact; the summary counts reachable AORs'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sipreg;bulk;unregister'= {
            cand --users 'CSV file with a header line: aor,user,password[,contact] (quoted fields allowed)'
            cand --aor 'AOR template, e.g. ''sip:bench{n:04}@example.test'''
            cand --count 'How many AORs the template makes'
            cand --first 'First value of {n}'
            cand --password-template 'Password template, e.g. ''pw{n:04}'''
            cand --user-template 'Auth user template (default: each AOR''s user part)'
            cand --contact-template 'Contact template (default: sip:USER@LOCAL-ADDRESS:PORT)'
            cand -r 'Where to send requests (default: the AOR''s domain)'
            cand --registrar 'Where to send requests (default: the AOR''s domain)'
            cand --proxy 'Outbound proxy, sent as a loose Route'
            cand -u 'Authentication user name (default: the AOR''s user part)'
            cand --user 'Authentication user name (default: the AOR''s user part)'
            cand --realm 'Answer challenges for this realm only'
            cand -t 'Transport'
            cand --transport 'Transport'
            cand --local 'Local address to bind: IP or IP:PORT (bulk mode: each further socket or connection PORT+1, …)'
            cand --timeout 'Give up on a request after this long (default 32s, 64*T1)'
            cand --user-agent 'User-Agent header value (default: sipreg/VERSION)'
            cand -o 'Output format (bulk mode: of the summary)'
            cand --output 'Output format (bulk mode: of the summary)'
            cand --ca-file 'Trust this PEM CA certificate (TLS, WSS) besides the system''s roots'
            cand --tls-server-name 'Check the registrar''s TLS certificate against NAME and send it as SNI, whatever address -r leads to (e.g. -r sips:192.0.2.1 --tls-server-name pbx.example.com)'
            cand --dns-server 'DNS server for locating the registrar (RFC 3263), e.g. 127.0.0.1:5353'
            cand --rate 'New transactions per second, paced evenly'
            cand --concurrency 'At most this many transactions in flight'
            cand --for 'Stay registered this long, then unregister all and exit'
            cand --keepalive 'Staying mode: keep-alives this often per AOR, CRLF ping on TCP/TLS, STUN on UDP (RFC 5626)'
            cand -e 'Requested expiry'
            cand --expires 'Requested expiry'
            cand --sockets 'UDP sockets to spread the population over'
            cand --connections 'Stream connections (TCP, TLS, WS, WSS) shared by the population, AOR i on connection i % N (default: one per AOR)'
            cand --shard 'Only the I-th of N slices of the population (I from 1 to N), e.g. 2/4'
            cand --answer 'Final response to an incoming INVITE, after 100 Trying (default 480; 486, 603 and 404 are common). sipreg sets up no calls, so not a 2xx'
            cand --ring 'Let an incoming INVITE ring this long before that answer (a CANCEL meanwhile gets 200 and the INVITE 487)'
            cand --json 'Short for --output json'
            cand -v '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)'
            cand --verbose '-v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode: one line per failure)'
            cand -q 'Print nothing; only the exit status tells'
            cand --quiet 'Print nothing; only the exit status tells'
            cand --insecure 'Do not verify the registrar''s TLS certificate (dangerous; for tests only)'
            cand --once 'Register each once and exit (bulk register)'
            cand --expect-reachable 'Probe each AOR once after it registers: an OPTIONS for it sent to the registrar must arrive at its contact; the summary counts reachable AORs'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sipreg;bulk;help'= {
            cand register 'Register every AOR (--once: once each; otherwise keep them refreshed)'
            cand query 'Query every AOR''s bindings'
            cand unregister 'Remove every AOR''s bindings'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'sipreg;bulk;help;register'= {
        }
        &'sipreg;bulk;help;query'= {
        }
        &'sipreg;bulk;help;unregister'= {
        }
        &'sipreg;bulk;help;help'= {
        }
        &'sipreg;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'sipreg;man'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'sipreg;help'= {
            cand register 'Bind a contact and keep it refreshed until interrupted, then remove it (--once: bind and exit)'
            cand query 'List the bindings of an address-of-record (REGISTER without Contact)'
            cand unregister 'Remove our contact, the one given with --contact, or every binding with --all'
            cand profiles 'List the profiles of the config file (no secrets shown)'
            cand bulk 'Register, query or unregister many AORs at a chosen rate (load tests)'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'sipreg;help;register'= {
        }
        &'sipreg;help;query'= {
        }
        &'sipreg;help;unregister'= {
        }
        &'sipreg;help;profiles'= {
        }
        &'sipreg;help;bulk'= {
            cand register 'Register every AOR (--once: once each; otherwise keep them refreshed)'
            cand query 'Query every AOR''s bindings'
            cand unregister 'Remove every AOR''s bindings'
        }
        &'sipreg;help;bulk;register'= {
        }
        &'sipreg;help;bulk;query'= {
        }
        &'sipreg;help;bulk;unregister'= {
        }
        &'sipreg;help;completions'= {
        }
        &'sipreg;help;man'= {
        }
        &'sipreg;help;help'= {
        }
    ]
    $completions[$command]
}
