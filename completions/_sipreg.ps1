
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
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Local address to bind: IP or IP:PORT')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request after this long (default 32s, 64*T1)')
            [CompletionResult]::new('--user-agent', '--user-agent', [CompletionResultType]::ParameterName, 'User-Agent header value')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Password on the command line (visible to ps: prefer the options below)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password on the command line (visible to ps: prefer the options below)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the password from the first line of this file')
            [CompletionResult]::new('--ha1', '--ha1', [CompletionResultType]::ParameterName, 'HA1 = H(user:realm:password) in hex instead of a password')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Contact URI to bind (default: sip:USER@LOCAL-ADDRESS:PORT of the socket used)')
            [CompletionResult]::new('--contact', '--contact', [CompletionResultType]::ParameterName, 'Contact URI to bind (default: sip:USER@LOCAL-ADDRESS:PORT of the socket used)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Requested expiry, e.g. 3600, 10m, 1h')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, 'Requested expiry, e.g. 3600, 10m, 1h')
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'Stay registered this long, then unregister and exit')
            [CompletionResult]::new('--q', '--q', [CompletionResultType]::ParameterName, 'Contact q value (0 to 1)')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, '+sip.instance URN (RFC 5626), e.g. urn:uuid:...')
            [CompletionResult]::new('--reg-id', '--reg-id', [CompletionResultType]::ParameterName, 'reg-id (RFC 5626)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, '-v: events and a message ladder on stderr; -vv: whole SIP messages')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, '-v: events and a message ladder on stderr; -vv: whole SIP messages')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing; only the exit status tells')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing; only the exit status tells')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password from the first line of standard input')
            [CompletionResult]::new('--once', '--once', [CompletionResultType]::ParameterName, 'Register once and exit, leaving the binding in place')
            [CompletionResult]::new('--keep-binding', '--keep-binding', [CompletionResultType]::ParameterName, 'Leave the binding in place when exiting')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
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
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Local address to bind: IP or IP:PORT')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request after this long (default 32s, 64*T1)')
            [CompletionResult]::new('--user-agent', '--user-agent', [CompletionResultType]::ParameterName, 'User-Agent header value')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Password on the command line (visible to ps: prefer the options below)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password on the command line (visible to ps: prefer the options below)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the password from the first line of this file')
            [CompletionResult]::new('--ha1', '--ha1', [CompletionResultType]::ParameterName, 'HA1 = H(user:realm:password) in hex instead of a password')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, '-v: events and a message ladder on stderr; -vv: whole SIP messages')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, '-v: events and a message ladder on stderr; -vv: whole SIP messages')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing; only the exit status tells')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing; only the exit status tells')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
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
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Local address to bind: IP or IP:PORT')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request after this long (default 32s, 64*T1)')
            [CompletionResult]::new('--user-agent', '--user-agent', [CompletionResultType]::ParameterName, 'User-Agent header value')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Password on the command line (visible to ps: prefer the options below)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password on the command line (visible to ps: prefer the options below)')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the password from the first line of this file')
            [CompletionResult]::new('--ha1', '--ha1', [CompletionResultType]::ParameterName, 'HA1 = H(user:realm:password) in hex instead of a password')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Remove this contact instead of our own')
            [CompletionResult]::new('--contact', '--contact', [CompletionResultType]::ParameterName, 'Remove this contact instead of our own')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, '-v: events and a message ladder on stderr; -vv: whole SIP messages')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, '-v: events and a message ladder on stderr; -vv: whole SIP messages')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing; only the exit status tells')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing; only the exit status tells')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password from the first line of standard input')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Remove every binding of the AOR (Contact: *, Expires: 0)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
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
