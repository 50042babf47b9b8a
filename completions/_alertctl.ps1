
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'alertctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'alertctl'
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
        'alertctl' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('produce', 'produce', [CompletionResultType]::ParameterValue, 'Generate sample visits of alerts and write them to a visit file')
            [CompletionResult]::new('tail', 'tail', [CompletionResultType]::ParameterValue, 'Decode alerts from a visit file (or a wire-format packet) to JSON or a table')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Inspect alert schemas: ids, fingerprints, canonical forms')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Measure decoding speed on generated alerts and print a table')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print or write the man pages')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'alertctl;produce' {
            [CompletionResult]::new('--visits', '--visits', [CompletionResultType]::ParameterName, 'Number of visits to generate')
            [CompletionResult]::new('--alerts-per-visit', '--alerts-per-visit', [CompletionResultType]::ParameterName, 'Alerts in each visit (Rubin sends about 10,000)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'The file to write')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'The file to write')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'File format: an Avro container file, or length-framed wire-format packets')
            [CompletionResult]::new('--schema-version', '--schema-version', [CompletionResultType]::ParameterName, 'Schema version MAJOR.MINOR to generate (default: the newest under --schema-dir, else the built-in 0.1)')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Generate for the schema in this self-contained .avsc file')
            [CompletionResult]::new('--schema-id', '--schema-id', [CompletionResultType]::ParameterName, 'Schema id for wire packets when --schema''s namespace carries no version')
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the random stream: the same seed and night give the same alerts')
            [CompletionResult]::new('--night', '--night', [CompletionResultType]::ParameterName, 'Observing night (dayObs): YYYY-MM-DD, today or yesterday')
            [CompletionResult]::new('--max-history', '--max-history', [CompletionResultType]::ParameterName, 'Longest history (prvDiaSources) per alert; each alert draws 0..=N')
            [CompletionResult]::new('--cutout-size', '--cutout-size', [CompletionResultType]::ParameterName, 'Width and height of the three FITS cutouts, pixels (0: no cutouts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'alertctl;tail' {
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'The visit file or packet file to read')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Print only the last N alerts')
            [CompletionResult]::new('--num', '--num', [CompletionResultType]::ParameterName, 'Print only the last N alerts')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format (default: table on a terminal, jsonl otherwise)')
            [CompletionResult]::new('--cutouts', '--cutouts', [CompletionResultType]::ParameterName, 'How the FITS cutouts appear: left out, their size, or base64')
            [CompletionResult]::new('--fields', '--fields', [CompletionResultType]::ParameterName, 'Table columns: comma-separated dotted paths; `a|b` takes the first present')
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--reader-version', '--reader-version', [CompletionResultType]::ParameterName, 'Resolve every alert into this schema version (Avro schema resolution), from --schema-dir')
            [CompletionResult]::new('--reader-schema', '--reader-schema', [CompletionResultType]::ParameterName, 'Resolve every alert into the schema in this .avsc file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'alertctl;schema' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a schema''s id, fingerprint and Parsing Canonical Form')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the schema versions under a schema directory, with their ids')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'alertctl;schema;show' {
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Schema version MAJOR.MINOR (default: the newest under --schema-dir, else the built-in 0.1)')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'A self-contained .avsc file instead of a version')
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format (default: text on a terminal, json otherwise)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'alertctl;schema;list' {
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format (default: text on a terminal, json lines otherwise)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'alertctl;schema;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a schema''s id, fingerprint and Parsing Canonical Form')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the schema versions under a schema directory, with their ids')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'alertctl;schema;help;show' {
            break
        }
        'alertctl;schema;help;list' {
            break
        }
        'alertctl;schema;help;help' {
            break
        }
        'alertctl;bench' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('decode', 'decode', [CompletionResultType]::ParameterValue, 'Decode generated alerts (with cutouts) to the JSON view: alerts/s and MB/s')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'alertctl;bench;decode' {
            [CompletionResult]::new('--alerts', '--alerts', [CompletionResultType]::ParameterName, 'Number of alerts to decode in the timed pass')
            [CompletionResult]::new('--schema-version', '--schema-version', [CompletionResultType]::ParameterName, 'Schema version to generate (default: the newest under --schema-dir, else the built-in 0.1)')
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--cutout-size', '--cutout-size', [CompletionResultType]::ParameterName, 'Cutout width and height, pixels')
            [CompletionResult]::new('--max-history', '--max-history', [CompletionResultType]::ParameterName, 'Longest history per alert')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;bench;help' {
            [CompletionResult]::new('decode', 'decode', [CompletionResultType]::ParameterValue, 'Decode generated alerts (with cutouts) to the JSON view: alerts/s and MB/s')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'alertctl;bench;help;decode' {
            break
        }
        'alertctl;bench;help;help' {
            break
        }
        'alertctl;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;man' {
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Write alertctl.1 and alertctl-COMMAND.1 for every subcommand into this directory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;help' {
            [CompletionResult]::new('produce', 'produce', [CompletionResultType]::ParameterValue, 'Generate sample visits of alerts and write them to a visit file')
            [CompletionResult]::new('tail', 'tail', [CompletionResultType]::ParameterValue, 'Decode alerts from a visit file (or a wire-format packet) to JSON or a table')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Inspect alert schemas: ids, fingerprints, canonical forms')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Measure decoding speed on generated alerts and print a table')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print or write the man pages')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'alertctl;help;produce' {
            break
        }
        'alertctl;help;tail' {
            break
        }
        'alertctl;help;schema' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a schema''s id, fingerprint and Parsing Canonical Form')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the schema versions under a schema directory, with their ids')
            break
        }
        'alertctl;help;schema;show' {
            break
        }
        'alertctl;help;schema;list' {
            break
        }
        'alertctl;help;bench' {
            [CompletionResult]::new('decode', 'decode', [CompletionResultType]::ParameterValue, 'Decode generated alerts (with cutouts) to the JSON view: alerts/s and MB/s')
            break
        }
        'alertctl;help;bench;decode' {
            break
        }
        'alertctl;help;completions' {
            break
        }
        'alertctl;help;man' {
            break
        }
        'alertctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
