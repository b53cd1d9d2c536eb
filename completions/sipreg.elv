
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
            cand --local 'Local address to bind: IP or IP:PORT'
            cand --timeout 'Give up on a request after this long (default 32s, 64*T1)'
            cand --user-agent 'User-Agent header value'
            cand -o 'Output format'
            cand --output 'Output format'
            cand -p 'Password on the command line (visible to ps: prefer the options below)'
            cand --password 'Password on the command line (visible to ps: prefer the options below)'
            cand --password-file 'Read the password from the first line of this file'
            cand --ha1 'HA1 = H(user:realm:password) in hex instead of a password'
            cand -c 'Contact URI to bind (default: sip:USER@LOCAL-ADDRESS:PORT of the socket used)'
            cand --contact 'Contact URI to bind (default: sip:USER@LOCAL-ADDRESS:PORT of the socket used)'
            cand -e 'Requested expiry, e.g. 3600, 10m, 1h'
            cand --expires 'Requested expiry, e.g. 3600, 10m, 1h'
            cand --for 'Stay registered this long, then unregister and exit'
            cand --q 'Contact q value (0 to 1)'
            cand --instance '+sip.instance URN (RFC 5626), e.g. urn:uuid:...'
            cand --reg-id 'reg-id (RFC 5626)'
            cand --json 'Short for --output json'
            cand -v '-v: events and a message ladder on stderr; -vv: whole SIP messages'
            cand --verbose '-v: events and a message ladder on stderr; -vv: whole SIP messages'
            cand -q 'Print nothing; only the exit status tells'
            cand --quiet 'Print nothing; only the exit status tells'
            cand --password-stdin 'Read the password from the first line of standard input'
            cand --once 'Register once and exit, leaving the binding in place'
            cand --keep-binding 'Leave the binding in place when exiting'
            cand -h 'Print help'
            cand --help 'Print help'
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
            cand --local 'Local address to bind: IP or IP:PORT'
            cand --timeout 'Give up on a request after this long (default 32s, 64*T1)'
            cand --user-agent 'User-Agent header value'
            cand -o 'Output format'
            cand --output 'Output format'
            cand -p 'Password on the command line (visible to ps: prefer the options below)'
            cand --password 'Password on the command line (visible to ps: prefer the options below)'
            cand --password-file 'Read the password from the first line of this file'
            cand --ha1 'HA1 = H(user:realm:password) in hex instead of a password'
            cand --json 'Short for --output json'
            cand -v '-v: events and a message ladder on stderr; -vv: whole SIP messages'
            cand --verbose '-v: events and a message ladder on stderr; -vv: whole SIP messages'
            cand -q 'Print nothing; only the exit status tells'
            cand --quiet 'Print nothing; only the exit status tells'
            cand --password-stdin 'Read the password from the first line of standard input'
            cand -h 'Print help'
            cand --help 'Print help'
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
            cand --local 'Local address to bind: IP or IP:PORT'
            cand --timeout 'Give up on a request after this long (default 32s, 64*T1)'
            cand --user-agent 'User-Agent header value'
            cand -o 'Output format'
            cand --output 'Output format'
            cand -p 'Password on the command line (visible to ps: prefer the options below)'
            cand --password 'Password on the command line (visible to ps: prefer the options below)'
            cand --password-file 'Read the password from the first line of this file'
            cand --ha1 'HA1 = H(user:realm:password) in hex instead of a password'
            cand -c 'Remove this contact instead of our own'
            cand --contact 'Remove this contact instead of our own'
            cand --json 'Short for --output json'
            cand -v '-v: events and a message ladder on stderr; -vv: whole SIP messages'
            cand --verbose '-v: events and a message ladder on stderr; -vv: whole SIP messages'
            cand -q 'Print nothing; only the exit status tells'
            cand --quiet 'Print nothing; only the exit status tells'
            cand --password-stdin 'Read the password from the first line of standard input'
            cand --all 'Remove every binding of the AOR (Contact: *, Expires: 0)'
            cand -h 'Print help'
            cand --help 'Print help'
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
        &'sipreg;help;completions'= {
        }
        &'sipreg;help;man'= {
        }
        &'sipreg;help;help'= {
        }
    ]
    $completions[$command]
}
