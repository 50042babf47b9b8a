
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
            [CompletionResult]::new('produce', 'produce', [CompletionResultType]::ParameterValue, 'Generate sample visits of alerts (or send a visit file) to a Kafka topic or a file')
            [CompletionResult]::new('tail', 'tail', [CompletionResultType]::ParameterValue, 'Decode alerts from Kafka topics or visit files to JSON lines or a table')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Alert schemas: show, list, check compatibility, bump, and registry register/get/list/delete/import')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Measure speed (decode, Kafka, filters, mirror, a night) and print a table')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Re-publish a night to another topic, paced by its timestamps')
            [CompletionResult]::new('rewind', 'rewind', [CompletionResultType]::ParameterValue, 'Move a consumer group''s committed offsets (re-run a filter over a night)')
            [CompletionResult]::new('mirror', 'mirror', [CompletionResultType]::ParameterValue, 'Copy topics from another cluster, byte for byte (a mirror node)')
            [CompletionResult]::new('sandbox', 'sandbox', [CompletionResultType]::ParameterValue, 'A local broker and registry with a standard test night: up, status, down')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'One alert as a table, and with --png its cutouts and light curve')
            [CompletionResult]::new('lag', 'lag', [CompletionResultType]::ParameterValue, 'Consumer groups'' committed offsets, end offsets and lag')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Alerts per visit and band, bytes and time range of a topic or visit file')
            [CompletionResult]::new('filter', 'filter', [CompletionResultType]::ParameterValue, 'Run jq filters over the alert stream (or a visit file)')
            [CompletionResult]::new('moc', 'moc', [CompletionResultType]::ParameterValue, 'Sky regions: the MOC of a gravitational-wave sky map''s credible region')
            [CompletionResult]::new('registry', 'registry', [CompletionResultType]::ParameterValue, 'Serve a Confluent-compatible schema registry')
            [CompletionResult]::new('topic', 'topic', [CompletionResultType]::ParameterValue, 'Create, list, describe, delete and expire topics')
            [CompletionResult]::new('archive', 'archive', [CompletionResultType]::ParameterValue, 'Copy alerts into an archive in Rubin''s layout (a directory or S3), or verify one')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Fetch alerts by id from an archive or a topic')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Export a night (a window, a file) to Parquet with a manifest, or verify an export')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print or write the man pages')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'alertctl;produce' {
            [CompletionResult]::new('--visits', '--visits', [CompletionResultType]::ParameterName, 'Number of visits to generate')
            [CompletionResult]::new('--alerts-per-visit', '--alerts-per-visit', [CompletionResultType]::ParameterName, 'Alerts in each visit (Rubin sends about 10,000)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write a visit file instead of sending to Kafka')
            [CompletionResult]::new('--file-format', '--file-format', [CompletionResultType]::ParameterName, 'Format of the file written with --out')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'The old spelling of --file-format (one more release)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'The Kafka topic (default: the night''s topic, lsst-YYYY-MM-DD)')
            [CompletionResult]::new('--topic', '--topic', [CompletionResultType]::ParameterName, 'The Kafka topic (default: the night''s topic, lsst-YYYY-MM-DD)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Send the alerts of this visit file (OCF or wire) instead of generating them')
            [CompletionResult]::new('--from-file', '--from-file', [CompletionResultType]::ParameterName, 'The old spelling of --file (one more release)')
            [CompletionResult]::new('--cadence', '--cadence', [CompletionResultType]::ParameterName, 'Wait this long between the starts of consecutive visits (Rubin: 37s)')
            [CompletionResult]::new('--timestamp', '--timestamp', [CompletionResultType]::ParameterName, 'Record timestamp (CreateTime): the observation time, or now')
            [CompletionResult]::new('--partitions', '--partitions', [CompletionResultType]::ParameterName, 'Partitions of a topic created here (default 4; 45 for a per-major topic, as Rubin''s)')
            [CompletionResult]::new('--retention', '--retention', [CompletionResultType]::ParameterName, 'Retention of a topic created here: a duration or `forever` (default 7d; 30d for a per-major topic, as Rubin''s)')
            [CompletionResult]::new('--schema-version', '--schema-version', [CompletionResultType]::ParameterName, 'Schema version MAJOR.MINOR to generate (default: the newest under --schema-dir, else the built-in 0.1)')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Generate for the schema in this self-contained .avsc file')
            [CompletionResult]::new('--schema-id', '--schema-id', [CompletionResultType]::ParameterName, 'Schema id for wire packets when the schema''s namespace carries no version')
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'A Confluent-API schema registry to look schema ids up in (cached on disk)')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the random stream: the same seed and night give the same alerts')
            [CompletionResult]::new('--night', '--night', [CompletionResultType]::ParameterName, 'Observing night (dayObs) of the alerts, and of the default topic: YYYY-MM-DD, today or yesterday')
            [CompletionResult]::new('--max-history', '--max-history', [CompletionResultType]::ParameterName, 'Longest history (prvDiaSources) per alert; each alert draws 0..=N')
            [CompletionResult]::new('--cutout-size', '--cutout-size', [CompletionResultType]::ParameterName, 'Width and height of the three FITS cutouts, pixels (0: no cutouts)')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Send visits back to back, without waiting for the cadence')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'alertctl;tail' {
            [CompletionResult]::new('--workers', '--workers', [CompletionResultType]::ParameterName, 'Threads that decode and encode alerts in parallel (0: one per core). Output keeps the input''s order; with a group, only what is written is committed')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'The topic to read, or a regex matching several (`lsst-2024-05-.*`)')
            [CompletionResult]::new('--night', '--night', [CompletionResultType]::ParameterName, 'A night (YYYY-MM-DD, today or yesterday): its topic, or on a long-lived topic (--from, or the profile''s per-major layout) its dayObs window, 12:00 to 12:00 UTC')
            [CompletionResult]::new('--window-by', '--window-by', [CompletionResultType]::ParameterName, 'With --night on a long-lived topic: select by record timestamp (`timestamp`, found per partition with offsets-for-times; ingest time on a LogAppendTime topic) or by the alert''s own observation time (`observation`, diaSource.midpointMjdTai, reading --window-margin on both sides of the window)')
            [CompletionResult]::new('--window-margin', '--window-margin', [CompletionResultType]::ParameterName, 'With --window-by observation: how far outside the window to read')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read a visit file (OCF or wire) instead of Kafka')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where to start: beginning, end, stored, N, -N, @TIME')
            [CompletionResult]::new('--offset', '--offset', [CompletionResultType]::ParameterName, 'Where to start: beginning, end, stored, N, -N, @TIME')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Print only the last N alerts, then exit (keep following with -f)')
            [CompletionResult]::new('--num', '--num', [CompletionResultType]::ParameterName, 'Print only the last N alerts, then exit (keep following with -f)')
            [CompletionResult]::new('-G', '-G ', [CompletionResultType]::ParameterName, 'Consume as this consumer group, committing offsets as alerts are printed')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Consume as this consumer group, committing offsets as alerts are printed')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format (default: table on a terminal, jsonl otherwise)')
            [CompletionResult]::new('--cutouts', '--cutouts', [CompletionResultType]::ParameterName, 'How the FITS cutouts appear: left out, their size, or kept (base64)')
            [CompletionResult]::new('--fields', '--fields', [CompletionResultType]::ParameterName, 'Table columns: comma-separated dotted paths; `a|b` takes the first present')
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'A Confluent-API schema registry to look schema ids up in (cached on disk)')
            [CompletionResult]::new('--reader-version', '--reader-version', [CompletionResultType]::ParameterName, 'Resolve every alert into this schema version (Avro schema resolution), from --schema-dir')
            [CompletionResult]::new('--reader-schema', '--reader-schema', [CompletionResultType]::ParameterName, 'Resolve every alert into the schema in this .avsc file')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep following for new alerts (the default without -e or -n)')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep following for new alerts (the default without -e or -n)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Exit at the end of the partitions (as they were when read)')
            [CompletionResult]::new('--exit', '--exit', [CompletionResultType]::ParameterName, 'Exit at the end of the partitions (as they were when read)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'alertctl;schema' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a schema''s id, fingerprint and Parsing Canonical Form')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the schema versions under a schema directory, with their ids')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check a new schema''s compatibility with earlier ones (exit 0 compatible, 1 not, 2 usage)')
            [CompletionResult]::new('bump', 'bump', [CompletionResultType]::ParameterValue, 'Say whether a new schema is a MINOR release of the newest MAJOR or needs a new MAJOR')
            [CompletionResult]::new('register', 'register', [CompletionResultType]::ParameterValue, 'Register a schema with a registry (with --id: in IMPORT mode)')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Get a schema from a registry: by id, or SUBJECT[@VERSION] (latest by default)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a subject, or SUBJECT@VERSION, from a registry (soft; then --permanent)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Register a whole alert_packet tree the way Rubin does: ids = versions, both subject styles')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'alertctl;schema;show' {
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Schema version MAJOR.MINOR (default: the newest under --schema-dir, else the built-in 0.1)')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'A self-contained .avsc file instead of a version')
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'A Confluent-API schema registry to look schema ids up in (cached on disk)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table (text) or json (default: table on a terminal, json otherwise)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;schema;list' {
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'A Confluent-API schema registry to look schema ids up in (cached on disk)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table (text) or json (default: table on a terminal, json lines otherwise)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;schema;check' {
            [CompletionResult]::new('--against', '--against', [CompletionResultType]::ParameterName, 'Schemas to check against, oldest first (files or versions); repeatable')
            [CompletionResult]::new('--subject', '--subject', [CompletionResultType]::ParameterName, 'Check against every version of this subject in --registry')
            [CompletionResult]::new('--level', '--level', [CompletionResultType]::ParameterName, 'Confluent compatibility level')
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'A Confluent-API schema registry to look schema ids up in (cached on disk)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table (text) or json (default: table)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'The old spelling of --format json (one more release)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'alertctl;schema;bump' {
            [CompletionResult]::new('--subject', '--subject', [CompletionResultType]::ParameterName, 'Subject name prefix; a MAJOR''s subject is SUBJECT-MAJOR (looked up in --registry when given)')
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'A Confluent-API schema registry to look schema ids up in (cached on disk)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table (text) or json (default: table)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'The old spelling of --format json (one more release)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;schema;register' {
            [CompletionResult]::new('--subject', '--subject', [CompletionResultType]::ParameterName, 'The subject')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Register with this id (the subject must be in IMPORT mode)')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Register as this version (with --id)')
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'A Confluent-API schema registry to look schema ids up in (cached on disk)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;schema;get' {
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'A Confluent-API schema registry to look schema ids up in (cached on disk)')
            [CompletionResult]::new('--schema-only', '--schema-only', [CompletionResultType]::ParameterName, 'Print only the schema')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;schema;delete' {
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'A Confluent-API schema registry to look schema ids up in (cached on disk)')
            [CompletionResult]::new('--permanent', '--permanent', [CompletionResultType]::ParameterName, 'Delete for good (after a soft delete)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;schema;import' {
            [CompletionResult]::new('--subject', '--subject', [CompletionResultType]::ParameterName, 'The subject every version goes under')
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'A Confluent-API schema registry to look schema ids up in (cached on disk)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;schema;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a schema''s id, fingerprint and Parsing Canonical Form')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the schema versions under a schema directory, with their ids')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check a new schema''s compatibility with earlier ones (exit 0 compatible, 1 not, 2 usage)')
            [CompletionResult]::new('bump', 'bump', [CompletionResultType]::ParameterValue, 'Say whether a new schema is a MINOR release of the newest MAJOR or needs a new MAJOR')
            [CompletionResult]::new('register', 'register', [CompletionResultType]::ParameterValue, 'Register a schema with a registry (with --id: in IMPORT mode)')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Get a schema from a registry: by id, or SUBJECT[@VERSION] (latest by default)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a subject, or SUBJECT@VERSION, from a registry (soft; then --permanent)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Register a whole alert_packet tree the way Rubin does: ids = versions, both subject styles')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'alertctl;schema;help;show' {
            break
        }
        'alertctl;schema;help;list' {
            break
        }
        'alertctl;schema;help;check' {
            break
        }
        'alertctl;schema;help;bump' {
            break
        }
        'alertctl;schema;help;register' {
            break
        }
        'alertctl;schema;help;get' {
            break
        }
        'alertctl;schema;help;delete' {
            break
        }
        'alertctl;schema;help;import' {
            break
        }
        'alertctl;schema;help;help' {
            break
        }
        'alertctl;bench' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('decode', 'decode', [CompletionResultType]::ParameterValue, 'Decode generated alerts (with cutouts) to the JSON view: alerts/s and MB/s')
            [CompletionResult]::new('kafka', 'kafka', [CompletionResultType]::ParameterValue, 'Produce generated alerts to a new topic and consume them back: alerts/s and MB/s')
            [CompletionResult]::new('filter', 'filter', [CompletionResultType]::ParameterValue, 'Filter throughput as users get it: `filter run` end to end, the engine alone, and Python')
            [CompletionResult]::new('engine', 'engine', [CompletionResultType]::ParameterValue, 'The filter engine alone over your own alerts and filters: alerts/s on one core')
            [CompletionResult]::new('mirror', 'mirror', [CompletionResultType]::ParameterValue, 'Mirror throughput between two brokers: generated alerts, copied byte for byte')
            [CompletionResult]::new('night', 'night', [CompletionResultType]::ParameterValue, 'A scaled night through the real path: produce, mirror, N filters, a user''s consumer')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'alertctl;bench;decode' {
            [CompletionResult]::new('--alerts', '--alerts', [CompletionResultType]::ParameterName, 'Number of alerts to decode in the timed pass')
            [CompletionResult]::new('--schema-version', '--schema-version', [CompletionResultType]::ParameterName, 'Schema version to generate (default: the newest under --schema-dir, else the built-in 0.1)')
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'A Confluent-API schema registry to look schema ids up in (cached on disk)')
            [CompletionResult]::new('--cutout-size', '--cutout-size', [CompletionResultType]::ParameterName, 'Cutout width and height, pixels')
            [CompletionResult]::new('--max-history', '--max-history', [CompletionResultType]::ParameterName, 'Longest history per alert (default: 10; 30 for bench filter)')
            [CompletionResult]::new('--alerts-per-visit', '--alerts-per-visit', [CompletionResultType]::ParameterName, 'Alerts in each visit (Rubin sends about 10,000); caps per visit bind less in bigger visits')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;bench;kafka' {
            [CompletionResult]::new('--alerts', '--alerts', [CompletionResultType]::ParameterName, 'Number of alerts')
            [CompletionResult]::new('--schema-version', '--schema-version', [CompletionResultType]::ParameterName, 'Schema version to generate (default: the newest under --schema-dir, else the built-in 0.1)')
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'A Confluent-API schema registry to look schema ids up in (cached on disk)')
            [CompletionResult]::new('--cutout-size', '--cutout-size', [CompletionResultType]::ParameterName, 'Cutout width and height, pixels')
            [CompletionResult]::new('--max-history', '--max-history', [CompletionResultType]::ParameterName, 'Longest history per alert (default: 10; 30 for bench filter)')
            [CompletionResult]::new('--alerts-per-visit', '--alerts-per-visit', [CompletionResultType]::ParameterName, 'Alerts in each visit (Rubin sends about 10,000); caps per visit bind less in bigger visits')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)')
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'Keep the topic afterwards')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;bench;filter' {
            [CompletionResult]::new('--alerts', '--alerts', [CompletionResultType]::ParameterName, 'Number of alerts')
            [CompletionResult]::new('--filters', '--filters', [CompletionResultType]::ParameterName, 'Production-like filters in the many-filters rows')
            [CompletionResult]::new('--schema-version', '--schema-version', [CompletionResultType]::ParameterName, 'Schema version to generate (default: the newest under --schema-dir, else the built-in 0.1)')
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'A Confluent-API schema registry to look schema ids up in (cached on disk)')
            [CompletionResult]::new('--cutout-size', '--cutout-size', [CompletionResultType]::ParameterName, 'Cutout width and height, pixels')
            [CompletionResult]::new('--max-history', '--max-history', [CompletionResultType]::ParameterName, 'Longest history per alert (default: 10; 30 for bench filter)')
            [CompletionResult]::new('--alerts-per-visit', '--alerts-per-visit', [CompletionResultType]::ParameterName, 'Alerts in each visit (Rubin sends about 10,000); caps per visit bind less in bigger visits')
            [CompletionResult]::new('--python', '--python', [CompletionResultType]::ParameterName, 'The Python for the reference rows (needs fastavro); empty to skip them')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Brokers for the `filter run --from` row (an in-memory local broker); without them the row is left out')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Brokers for the `filter run --from` row (an in-memory local broker); without them the row is left out')
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'Keep the benchmark''s files (alerts, filters.toml, Python scripts) in this directory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;bench;engine' {
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'The alerts: a wire file')
            [CompletionResult]::new('--filters', '--filters', [CompletionResultType]::ParameterName, 'The filters')
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;bench;mirror' {
            [CompletionResult]::new('--source-brokers', '--source-brokers', [CompletionResultType]::ParameterName, 'The source brokers')
            [CompletionResult]::new('--alerts', '--alerts', [CompletionResultType]::ParameterName, 'Number of alerts')
            [CompletionResult]::new('--schema-version', '--schema-version', [CompletionResultType]::ParameterName, 'Schema version to generate (default: the newest under --schema-dir, else the built-in 0.1)')
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'A Confluent-API schema registry to look schema ids up in (cached on disk)')
            [CompletionResult]::new('--cutout-size', '--cutout-size', [CompletionResultType]::ParameterName, 'Cutout width and height, pixels')
            [CompletionResult]::new('--max-history', '--max-history', [CompletionResultType]::ParameterName, 'Longest history per alert (default: 10; 30 for bench filter)')
            [CompletionResult]::new('--alerts-per-visit', '--alerts-per-visit', [CompletionResultType]::ParameterName, 'Alerts in each visit (Rubin sends about 10,000); caps per visit bind less in bigger visits')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;bench;night' {
            [CompletionResult]::new('--source-brokers', '--source-brokers', [CompletionResultType]::ParameterName, 'The central brokers (the producer writes there; the mirror reads)')
            [CompletionResult]::new('--scale', '--scale', [CompletionResultType]::ParameterName, 'Alerts per visit as a fraction of Rubin''s 10,000')
            [CompletionResult]::new('--visits', '--visits', [CompletionResultType]::ParameterName, 'Visits')
            [CompletionResult]::new('--cadence', '--cadence', [CompletionResultType]::ParameterName, 'Time between visits')
            [CompletionResult]::new('--filters', '--filters', [CompletionResultType]::ParameterName, 'Filters, each capped at 20 alerts per visit')
            [CompletionResult]::new('--cutout-size', '--cutout-size', [CompletionResultType]::ParameterName, 'Cutout width and height, pixels')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the generated alerts')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Also write the result as JSON here, and a latency histogram next to it (FILE.png)')
            [CompletionResult]::new('--schema-version', '--schema-version', [CompletionResultType]::ParameterName, 'Generate alerts of this official version from --schema-dir (generated before the night starts) and run the production-like filters of `bench filter`; without it, the built-in sample schema and SNR cuts')
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'A Confluent-API schema registry to look schema ids up in (cached on disk)')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;bench;help' {
            [CompletionResult]::new('decode', 'decode', [CompletionResultType]::ParameterValue, 'Decode generated alerts (with cutouts) to the JSON view: alerts/s and MB/s')
            [CompletionResult]::new('kafka', 'kafka', [CompletionResultType]::ParameterValue, 'Produce generated alerts to a new topic and consume them back: alerts/s and MB/s')
            [CompletionResult]::new('filter', 'filter', [CompletionResultType]::ParameterValue, 'Filter throughput as users get it: `filter run` end to end, the engine alone, and Python')
            [CompletionResult]::new('engine', 'engine', [CompletionResultType]::ParameterValue, 'The filter engine alone over your own alerts and filters: alerts/s on one core')
            [CompletionResult]::new('mirror', 'mirror', [CompletionResultType]::ParameterValue, 'Mirror throughput between two brokers: generated alerts, copied byte for byte')
            [CompletionResult]::new('night', 'night', [CompletionResultType]::ParameterValue, 'A scaled night through the real path: produce, mirror, N filters, a user''s consumer')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'alertctl;bench;help;decode' {
            break
        }
        'alertctl;bench;help;kafka' {
            break
        }
        'alertctl;bench;help;filter' {
            break
        }
        'alertctl;bench;help;engine' {
            break
        }
        'alertctl;bench;help;mirror' {
            break
        }
        'alertctl;bench;help;night' {
            break
        }
        'alertctl;bench;help;help' {
            break
        }
        'alertctl;replay' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'The topic to read, or a regex matching several (`lsst-2024-05-.*`)')
            [CompletionResult]::new('--night', '--night', [CompletionResultType]::ParameterName, 'A night: its topic, or on a long-lived topic its dayObs window (12:00 to 12:00 UTC)')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The topic to write')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where to start: beginning, N, -N, @TIME or @T1:T2')
            [CompletionResult]::new('--offset', '--offset', [CompletionResultType]::ParameterName, 'Where to start: beginning, N, -N, @TIME or @T1:T2')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Stop before the first record after this time (@TIME)')
            [CompletionResult]::new('--speed', '--speed', [CompletionResultType]::ParameterName, 'Speed factor (1 = real time), or max')
            [CompletionResult]::new('--timestamp', '--timestamp', [CompletionResultType]::ParameterName, 'Timestamps of the copies: `original` (their CreateTime) or `now`')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'With --loop: time between visits')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)')
            [CompletionResult]::new('--loop', '--loop', [CompletionResultType]::ParameterName, 'Replay forever, one visit every --interval, stamped now')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;rewind' {
            [CompletionResult]::new('-G', '-G ', [CompletionResultType]::ParameterName, 'The consumer group')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'The consumer group')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'The topic')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'The old spelling of --from (one more release)')
            [CompletionResult]::new('--topic', '--topic', [CompletionResultType]::ParameterName, 'The old spelling of --from (one more release)')
            [CompletionResult]::new('--night', '--night', [CompletionResultType]::ParameterName, 'A night: its topic, or on a long-lived topic its window')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where to move: beginning, end, or @TIME (the first record at or after it)')
            [CompletionResult]::new('--offset', '--offset', [CompletionResultType]::ParameterName, 'Where to move: beginning, end, or @TIME (the first record at or after it)')
            [CompletionResult]::new('--shift', '--shift', [CompletionResultType]::ParameterName, 'Move by N records from the committed offset (negative: back)')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The old spelling of -o @TIME')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format (default: table on a terminal, jsonl otherwise)')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)')
            [CompletionResult]::new('--to-beginning', '--to-beginning', [CompletionResultType]::ParameterName, 'The old spelling of -o beginning')
            [CompletionResult]::new('--to-end', '--to-end', [CompletionResultType]::ParameterName, 'The old spelling of -o end')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Say what would move, and move nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;mirror' {
            [CompletionResult]::new('--source-brokers', '--source-brokers', [CompletionResultType]::ParameterName, 'The source cluster''s bootstrap brokers')
            [CompletionResult]::new('--source-x', '--source-x', [CompletionResultType]::ParameterName, 'A librdkafka property for the source cluster (repeatable)')
            [CompletionResult]::new('--topics', '--topics', [CompletionResultType]::ParameterName, 'Topics to mirror: a regex matched against whole names')
            [CompletionResult]::new('-G', '-G ', [CompletionResultType]::ParameterName, 'The consumer group on the source')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'The consumer group on the source')
            [CompletionResult]::new('--retry-for', '--retry-for', [CompletionResultType]::ParameterName, 'Wait out delivery failures (the local broker away) this long, backing off, before stopping; nothing past them is committed')
            [CompletionResult]::new('--report-every', '--report-every', [CompletionResultType]::ParameterName, 'How often to report progress and lag on stderr')
            [CompletionResult]::new('--lag-warn', '--lag-warn', [CompletionResultType]::ParameterName, 'Say on stderr when the lag behind the source exceeds this many records (a visit''s worth), and when it has caught up; 0: never')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Exit once the partitions are copied up to where they ended when first seen')
            [CompletionResult]::new('--exit', '--exit', [CompletionResultType]::ParameterName, 'Exit once the partitions are copied up to where they ended when first seen')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;sandbox' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Start a broker and a schema registry, and fill tonight''s topic with the standard test night')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Say what the sandbox runs and whether it answers')
            [CompletionResult]::new('env', 'env', [CompletionResultType]::ParameterValue, 'Print the shell exports that point alertctl at the sandbox: eval "$(alertctl sandbox env)"')
            [CompletionResult]::new('down', 'down', [CompletionResultType]::ParameterValue, 'Stop what `sandbox up` started (by pid); nothing is left listening')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'alertctl;sandbox;up' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'The sandbox directory (default: ~/.local/share/alertctl/sandbox)')
            [CompletionResult]::new('--nights', '--nights', [CompletionResultType]::ParameterName, 'Nights of alerts: tonight and the nights before it')
            [CompletionResult]::new('--visits', '--visits', [CompletionResultType]::ParameterName, 'Visits per night')
            [CompletionResult]::new('--alerts-per-visit', '--alerts-per-visit', [CompletionResultType]::ParameterName, 'Alerts per visit')
            [CompletionResult]::new('--layout', '--layout', [CompletionResultType]::ParameterName, 'Topic layout: a topic per night (the design), or Rubin''s production layout, one long-lived 45-partition topic per schema MAJOR (lsst-alerts-v{major}) holding every night. Commands that use the sandbox''s broker follow its layout')
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'Rubin schema trees to register too (alert_packet layout), as Rubin does')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;sandbox;status' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'The sandbox directory (default: ~/.local/share/alertctl/sandbox)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;sandbox;env' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'The sandbox directory (default: ~/.local/share/alertctl/sandbox)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;sandbox;down' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'The sandbox directory (default: ~/.local/share/alertctl/sandbox)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;sandbox;help' {
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Start a broker and a schema registry, and fill tonight''s topic with the standard test night')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Say what the sandbox runs and whether it answers')
            [CompletionResult]::new('env', 'env', [CompletionResultType]::ParameterValue, 'Print the shell exports that point alertctl at the sandbox: eval "$(alertctl sandbox env)"')
            [CompletionResult]::new('down', 'down', [CompletionResultType]::ParameterValue, 'Stop what `sandbox up` started (by pid); nothing is left listening')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'alertctl;sandbox;help;up' {
            break
        }
        'alertctl;sandbox;help;status' {
            break
        }
        'alertctl;sandbox;help;env' {
            break
        }
        'alertctl;sandbox;help;down' {
            break
        }
        'alertctl;sandbox;help;help' {
            break
        }
        'alertctl;show' {
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'A visit file instead (with --index)')
            [CompletionResult]::new('--index', '--index', [CompletionResultType]::ParameterName, 'The alert''s 0-based record number in --file')
            [CompletionResult]::new('--png', '--png', [CompletionResultType]::ParameterName, 'Also draw the alert''s cutouts and light curve to this PNG file')
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'A Confluent-API schema registry to look schema ids up in (cached on disk)')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;lag' {
            [CompletionResult]::new('-G', '-G ', [CompletionResultType]::ParameterName, 'Only this group (the profile''s group_prefix applies)')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Only this group (the profile''s group_prefix applies)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format (default: table on a terminal, jsonl otherwise)')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;stats' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'The topic to read, or a regex matching several (`lsst-2024-05-.*`)')
            [CompletionResult]::new('--night', '--night', [CompletionResultType]::ParameterName, 'A night: its topic, or on a long-lived topic its dayObs window')
            [CompletionResult]::new('--window-by', '--window-by', [CompletionResultType]::ParameterName, 'With --night on a long-lived topic: select by record timestamp (`timestamp`, found per partition with offsets-for-times; ingest time on a LogAppendTime topic) or by the alert''s own observation time (`observation`, diaSource.midpointMjdTai, reading --window-margin on both sides of the window)')
            [CompletionResult]::new('--window-margin', '--window-margin', [CompletionResultType]::ParameterName, 'With --window-by observation: how far outside the window to read')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'A visit file instead of Kafka')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format (default: text on a terminal, one JSON object otherwise)')
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'A Confluent-API schema registry to look schema ids up in (cached on disk)')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;filter' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run filters over a topic (or a visit file) and write what passes')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check filters against a schema version: paths it lacks, literals of another type')
            [CompletionResult]::new('eval', 'eval', [CompletionResultType]::ParameterValue, 'Evaluate an expression over JSON values (as jq -c), with the filters'' functions')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'alertctl;filter;run' {
            [CompletionResult]::new('--expr', '--expr', [CompletionResultType]::ParameterName, 'The jq expression (with --name)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The filter''s name; its output topic unless --to')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Output topic (default: the name)')
            [CompletionResult]::new('--max-per-visit', '--max-per-visit', [CompletionResultType]::ParameterName, 'At most this many alerts per visit (0: no cap)')
            [CompletionResult]::new('--visit-key', '--visit-key', [CompletionResultType]::ParameterName, 'Where the visit id is (a jq path)')
            [CompletionResult]::new('--rank-by', '--rank-by', [CompletionResultType]::ParameterName, 'Keep the best N of each visit by this expression (higher is better) instead of the first N')
            [CompletionResult]::new('--drop', '--drop', [CompletionResultType]::ParameterName, 'Null these optional fields in passing alerts (e.g. cutoutScience,cutoutTemplate,prvDiaSources)')
            [CompletionResult]::new('--filters', '--filters', [CompletionResultType]::ParameterName, 'A filters file of [[filter]] tables')
            [CompletionResult]::new('--only', '--only', [CompletionResultType]::ParameterName, 'With --filters: run only these filters (repeatable)')
            [CompletionResult]::new('--index', '--index', [CompletionResultType]::ParameterName, 'With --filters: run only the Nth filter (1-based)')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Input topic, or a regex of topics (or --file)')
            [CompletionResult]::new('--night', '--night', [CompletionResultType]::ParameterName, 'A night: its topic, or on a long-lived topic (--from, or the profile''s per-major layout) its dayObs window, 12:00 to 12:00 UTC, read to its end')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where to start without committed offsets: beginning, end, N, -N, @TIME, @T1:T2')
            [CompletionResult]::new('--offset', '--offset', [CompletionResultType]::ParameterName, 'Where to start without committed offsets: beginning, end, N, -N, @TIME, @T1:T2')
            [CompletionResult]::new('-G', '-G ', [CompletionResultType]::ParameterName, 'Consumer group: instances of one group share the partitions. A member joining or leaving moves only the partitions that change hands (cooperative-sticky), and what was sent from them is committed before they are given up. A member stopped while its group rebalances waits that out (up to 10 s) to commit')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Consumer group: instances of one group share the partitions. A member joining or leaving moves only the partitions that change hands (cooperative-sticky), and what was sent from them is committed before they are given up. A member stopped while its group rebalances waits that out (up to 10 s) to commit')
            [CompletionResult]::new('--dead-letter', '--dead-letter', [CompletionResultType]::ParameterName, 'Copy undecodable records here (with a header saying why)')
            [CompletionResult]::new('--visit-grace', '--visit-grace', [CompletionResultType]::ParameterName, 'With --rank-by: a visit is complete this long after later visits reached every partition')
            [CompletionResult]::new('--visit-timeout', '--visit-timeout', [CompletionResultType]::ParameterName, 'With --rank-by: a visit is complete at the latest this long after its first alert')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read a visit file (OCF or wire) instead of Kafka')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'The old spelling of --file (one more release)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'With --file: write the passing alerts of the (one) filter to this wire file')
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'With --file: write each filter''s passing alerts to DIR/NAME.wire')
            [CompletionResult]::new('--cutouts', '--cutouts', [CompletionResultType]::ParameterName, 'How cutouts appear in JSON output')
            [CompletionResult]::new('--max-outputs', '--max-outputs', [CompletionResultType]::ParameterName, 'Per-alert output budget of an expression')
            [CompletionResult]::new('--max-time', '--max-time', [CompletionResultType]::ParameterName, 'Per-alert time budget of an expression')
            [CompletionResult]::new('--strikes', '--strikes', [CompletionResultType]::ParameterName, 'Times over budget before a filter is disabled')
            [CompletionResult]::new('--retry-for', '--retry-for', [CompletionResultType]::ParameterName, 'With Kafka: wait out failures that may pass (broker away, registry not answering) this long, backing off, before stopping; nothing past them is committed')
            [CompletionResult]::new('--lag-warn', '--lag-warn', [CompletionResultType]::ParameterName, 'With Kafka: say on stderr when the input lag exceeds this many records (a visit''s worth), and when it has caught up; 0: never')
            [CompletionResult]::new('--hard-time', '--hard-time', [CompletionResultType]::ParameterName, 'End the process (before any commit) if one evaluation runs longer than this')
            [CompletionResult]::new('--max-memory', '--max-memory', [CompletionResultType]::ParameterName, 'End the process (before any commit) if one evaluation holds more than this many bytes')
            [CompletionResult]::new('--watchlist', '--watchlist', [CompletionResultType]::ParameterName, 'A watchlist for `watchlist("NAME")`: a CSV (ra, dec, name[, radius arcsec], comma or `|`, header optional) or Parquet file, reloaded when it changes; repeatable')
            [CompletionResult]::new('--moc', '--moc', [CompletionResultType]::ParameterName, 'A MOC for `in_moc("NAME")`: IVOA FITS (mocpy, Aladin), ASCII or JSON; repeatable')
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'A Confluent-API schema registry to look schema ids up in (cached on disk)')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Exit at the end of the input partitions (as they were when read)')
            [CompletionResult]::new('--exit', '--exit', [CompletionResultType]::ParameterName, 'Exit at the end of the input partitions (as they were when read)')
            [CompletionResult]::new('--allow-unbounded', '--allow-unbounded', [CompletionResultType]::ParameterName, 'Allow loops and recursion in --expr (refused by default: they may never end)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'alertctl;filter;check' {
            [CompletionResult]::new('--expr', '--expr', [CompletionResultType]::ParameterName, 'The jq expression to check')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The name shown for --expr')
            [CompletionResult]::new('--filters', '--filters', [CompletionResultType]::ParameterName, 'A filters file of [[filter]] tables (expr, rank_by and visit_key are checked)')
            [CompletionResult]::new('--schema-version', '--schema-version', [CompletionResultType]::ParameterName, 'The schema version MAJOR.MINOR, from --schema-dir (default: the newest there, else the built-in sample)')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'A self-contained .avsc file instead')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format (default: table on a terminal, jsonl otherwise)')
            [CompletionResult]::new('--watchlist', '--watchlist', [CompletionResultType]::ParameterName, 'A watchlist for `watchlist("NAME")`: a CSV (ra, dec, name[, radius arcsec], comma or `|`, header optional) or Parquet file, reloaded when it changes; repeatable')
            [CompletionResult]::new('--moc', '--moc', [CompletionResultType]::ParameterName, 'A MOC for `in_moc("NAME")`: IVOA FITS (mocpy, Aladin), ASCII or JSON; repeatable')
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'A Confluent-API schema registry to look schema ids up in (cached on disk)')
            [CompletionResult]::new('--allow-unbounded', '--allow-unbounded', [CompletionResultType]::ParameterName, 'Allow loops and recursion in --expr (as filter run)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;filter;eval' {
            [CompletionResult]::new('--expr', '--expr', [CompletionResultType]::ParameterName, 'The jq expression')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read JSON values from this file instead of stdin')
            [CompletionResult]::new('--watchlist', '--watchlist', [CompletionResultType]::ParameterName, 'A watchlist for `watchlist("NAME")`: a CSV (ra, dec, name[, radius arcsec], comma or `|`, header optional) or Parquet file, reloaded when it changes; repeatable')
            [CompletionResult]::new('--moc', '--moc', [CompletionResultType]::ParameterName, 'A MOC for `in_moc("NAME")`: IVOA FITS (mocpy, Aladin), ASCII or JSON; repeatable')
            [CompletionResult]::new('--allow-unbounded', '--allow-unbounded', [CompletionResultType]::ParameterName, 'Allow loops and recursion (refused by default: they may never end)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;filter;help' {
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run filters over a topic (or a visit file) and write what passes')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check filters against a schema version: paths it lacks, literals of another type')
            [CompletionResult]::new('eval', 'eval', [CompletionResultType]::ParameterValue, 'Evaluate an expression over JSON values (as jq -c), with the filters'' functions')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'alertctl;filter;help;run' {
            break
        }
        'alertctl;filter;help;check' {
            break
        }
        'alertctl;filter;help;eval' {
            break
        }
        'alertctl;filter;help;help' {
            break
        }
        'alertctl;moc' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('from-skymap', 'from-skymap', [CompletionResultType]::ParameterValue, 'Turn a HEALPix probability sky map into the MOC of its credible region')
            [CompletionResult]::new('from-cone', 'from-cone', [CompletionResultType]::ParameterValue, 'The MOC of a disc on the sky (a field, a galaxy, a cluster)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'alertctl;moc;from-skymap' {
            [CompletionResult]::new('--credible', '--credible', [CompletionResultType]::ParameterName, 'The probability the region holds (0 < P <= 1)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Where to write the MOC (FITS)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the summary (default: table on a terminal, jsonl otherwise)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;moc;from-cone' {
            [CompletionResult]::new('--ra', '--ra', [CompletionResultType]::ParameterName, 'Centre, degrees')
            [CompletionResult]::new('--dec', '--dec', [CompletionResultType]::ParameterName, 'Centre, degrees')
            [CompletionResult]::new('--radius', '--radius', [CompletionResultType]::ParameterName, 'Radius, degrees')
            [CompletionResult]::new('--depth', '--depth', [CompletionResultType]::ParameterName, 'HEALPix depth of the MOC''s cells')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Where to write the MOC (FITS)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the summary (default: table on a terminal, jsonl otherwise)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;moc;help' {
            [CompletionResult]::new('from-skymap', 'from-skymap', [CompletionResultType]::ParameterValue, 'Turn a HEALPix probability sky map into the MOC of its credible region')
            [CompletionResult]::new('from-cone', 'from-cone', [CompletionResultType]::ParameterValue, 'The MOC of a disc on the sky (a field, a galaxy, a cluster)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'alertctl;moc;help;from-skymap' {
            break
        }
        'alertctl;moc;help;from-cone' {
            break
        }
        'alertctl;moc;help;help' {
            break
        }
        'alertctl;registry' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the Confluent Schema Registry REST API from a local store')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'alertctl;registry;serve' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'The store''s directory (created if missing)')
            [CompletionResult]::new('--basic-auth', '--basic-auth', [CompletionResultType]::ParameterName, 'Require HTTP basic auth for every request')
            [CompletionResult]::new('--max-body', '--max-body', [CompletionResultType]::ParameterName, 'Largest request body accepted')
            [CompletionResult]::new('--compatibility', '--compatibility', [CompletionResultType]::ParameterName, 'The default compatibility level of subjects without their own')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Refuse every change (registrations, deletes, config and mode changes)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'alertctl;registry;help' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the Confluent Schema Registry REST API from a local store')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'alertctl;registry;help;serve' {
            break
        }
        'alertctl;registry;help;help' {
            break
        }
        'alertctl;topic' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List topics: partitions, messages (by watermarks), retention, night')
            [CompletionResult]::new('describe', 'describe', [CompletionResultType]::ParameterValue, 'Show one topic''s partitions with their watermarks')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a topic (a night''s topic with --night)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a topic')
            [CompletionResult]::new('expire', 'expire', [CompletionResultType]::ParameterValue, 'Delete night topics (lsst-YYYY-MM-DD) older than a number of days, by name')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'alertctl;topic;list' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format (default: table on a terminal, jsonl otherwise)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;topic;describe' {
            [CompletionResult]::new('--night', '--night', [CompletionResultType]::ParameterName, 'A night''s topic instead: YYYY-MM-DD, today or yesterday')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format (default: table on a terminal, jsonl otherwise)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;topic;create' {
            [CompletionResult]::new('--night', '--night', [CompletionResultType]::ParameterName, 'A night''s topic instead: YYYY-MM-DD, today or yesterday')
            [CompletionResult]::new('--partitions', '--partitions', [CompletionResultType]::ParameterName, 'Partitions')
            [CompletionResult]::new('--replication', '--replication', [CompletionResultType]::ParameterName, 'Replication factor (default: 3 on a cluster of three brokers or more, else one copy per broker)')
            [CompletionResult]::new('--retention', '--retention', [CompletionResultType]::ParameterName, 'How long records are kept: a duration (7d) or `forever`')
            [CompletionResult]::new('--timestamp-type', '--timestamp-type', [CompletionResultType]::ParameterName, 'Which time records carry: the producer''s (create) or the broker''s at append (log-append, as some of Rubin''s deployments)')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;topic;delete' {
            [CompletionResult]::new('--night', '--night', [CompletionResultType]::ParameterName, 'A night''s topic instead: YYYY-MM-DD, today or yesterday')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;topic;expire' {
            [CompletionResult]::new('--older-than', '--older-than', [CompletionResultType]::ParameterName, 'Delete night topics whose night is more than this long before tonight (7d)')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Say what would be deleted, delete nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;topic;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List topics: partitions, messages (by watermarks), retention, night')
            [CompletionResult]::new('describe', 'describe', [CompletionResultType]::ParameterValue, 'Show one topic''s partitions with their watermarks')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a topic (a night''s topic with --night)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a topic')
            [CompletionResult]::new('expire', 'expire', [CompletionResultType]::ParameterValue, 'Delete night topics (lsst-YYYY-MM-DD) older than a number of days, by name')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'alertctl;topic;help;list' {
            break
        }
        'alertctl;topic;help;describe' {
            break
        }
        'alertctl;topic;help;create' {
            break
        }
        'alertctl;topic;help;delete' {
            break
        }
        'alertctl;topic;help;expire' {
            break
        }
        'alertctl;topic;help;help' {
            break
        }
        'alertctl;archive' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'The topic, or a regex of topics')
            [CompletionResult]::new('--night', '--night', [CompletionResultType]::ParameterName, 'A night: its topic, or its dayObs window on a long-lived topic (then exit at its end)')
            [CompletionResult]::new('--archive', '--archive', [CompletionResultType]::ParameterName, 'The archive: a directory, or s3://bucket/prefix')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The old spelling of --archive (--to is a topic everywhere now)')
            [CompletionResult]::new('-G', '-G ', [CompletionResultType]::ParameterName, 'Consume as this group (commits after the objects are stored)')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Consume as this group (commits after the objects are stored)')
            [CompletionResult]::new('--workers', '--workers', [CompletionResultType]::ParameterName, 'Threads that decode and encode alerts in parallel (0: one per core). Output keeps the input''s order; with a group, only what is written is committed')
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'A Confluent-API schema registry to look schema ids up in (cached on disk)')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Exit at the end of the partitions (as they were when read)')
            [CompletionResult]::new('--exit', '--exit', [CompletionResultType]::ParameterName, 'Exit at the end of the partitions (as they were when read)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check that an archive has every alert of a topic (window) and every schema they use')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'alertctl;archive;verify' {
            [CompletionResult]::new('--archive', '--archive', [CompletionResultType]::ParameterName, 'The archive: a directory, or s3://bucket/prefix')
            [CompletionResult]::new('--against', '--against', [CompletionResultType]::ParameterName, 'The topic (or regex) whose alerts it must hold')
            [CompletionResult]::new('--night', '--night', [CompletionResultType]::ParameterName, 'A night: its topic, or its window on --against')
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'A Confluent-API schema registry to look schema ids up in (cached on disk)')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;archive;help' {
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check that an archive has every alert of a topic (window) and every schema they use')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'alertctl;archive;help;verify' {
            break
        }
        'alertctl;archive;help;help' {
            break
        }
        'alertctl;get' {
            [CompletionResult]::new('--archive', '--archive', [CompletionResultType]::ParameterName, 'The archive: a directory, s3://bucket/prefix, or the archive service''s URL')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Read this topic (or regex) instead')
            [CompletionResult]::new('--night', '--night', [CompletionResultType]::ParameterName, 'A night: its topic, or its window on --from')
            [CompletionResult]::new('--cutouts', '--cutouts', [CompletionResultType]::ParameterName, 'How the cutouts appear in the JSON view')
            [CompletionResult]::new('--fits-dir', '--fits-dir', [CompletionResultType]::ParameterName, 'Write each alert''s cutouts as FITS files here (ID-science.fits, ...)')
            [CompletionResult]::new('--png', '--png', [CompletionResultType]::ParameterName, 'Draw the alert''s cutouts and light curve to this PNG (one id)')
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'A Confluent-API schema registry to look schema ids up in (cached on disk)')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'alertctl;export' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'The topic (or regex) to read')
            [CompletionResult]::new('--night', '--night', [CompletionResultType]::ParameterName, 'A night: its topic, or its dayObs window on --from')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where to start (read to the end): beginning, N, -N, @TIME, @T1:T2')
            [CompletionResult]::new('--offset', '--offset', [CompletionResultType]::ParameterName, 'Where to start (read to the end): beginning, N, -N, @TIME, @T1:T2')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'A visit file instead of Kafka')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'The export directory (must not hold an export)')
            [CompletionResult]::new('--file-format', '--file-format', [CompletionResultType]::ParameterName, 'File format')
            [CompletionResult]::new('--cutouts', '--cutouts', [CompletionResultType]::ParameterName, 'Keep the cutouts (binary columns) or leave them out')
            [CompletionResult]::new('--workers', '--workers', [CompletionResultType]::ParameterName, 'Threads that decode and encode alerts in parallel (0: one per core). Output keeps the input''s order; with a group, only what is written is committed')
            [CompletionResult]::new('--schema-dir', '--schema-dir', [CompletionResultType]::ParameterName, 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'A Confluent-API schema registry to look schema ids up in (cached on disk)')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)')
            [CompletionResult]::new('--by-band', '--by-band', [CompletionResultType]::ParameterName, 'Partition by band under each night')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check an export''s files against its manifest, and its ranges against the topic')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'alertctl;export;verify' {
            [CompletionResult]::new('--against', '--against', [CompletionResultType]::ParameterName, 'Also check the manifest''s offset ranges against this topic (the same window)')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, comma-separated HOST:PORT')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;export;help' {
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check an export''s files against its manifest, and its ranges against the topic')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'alertctl;export;help;verify' {
            break
        }
        'alertctl;export;help;help' {
            break
        }
        'alertctl;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;man' {
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Write one page per command into this directory instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'alertctl;help' {
            [CompletionResult]::new('produce', 'produce', [CompletionResultType]::ParameterValue, 'Generate sample visits of alerts (or send a visit file) to a Kafka topic or a file')
            [CompletionResult]::new('tail', 'tail', [CompletionResultType]::ParameterValue, 'Decode alerts from Kafka topics or visit files to JSON lines or a table')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Alert schemas: show, list, check compatibility, bump, and registry register/get/list/delete/import')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Measure speed (decode, Kafka, filters, mirror, a night) and print a table')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Re-publish a night to another topic, paced by its timestamps')
            [CompletionResult]::new('rewind', 'rewind', [CompletionResultType]::ParameterValue, 'Move a consumer group''s committed offsets (re-run a filter over a night)')
            [CompletionResult]::new('mirror', 'mirror', [CompletionResultType]::ParameterValue, 'Copy topics from another cluster, byte for byte (a mirror node)')
            [CompletionResult]::new('sandbox', 'sandbox', [CompletionResultType]::ParameterValue, 'A local broker and registry with a standard test night: up, status, down')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'One alert as a table, and with --png its cutouts and light curve')
            [CompletionResult]::new('lag', 'lag', [CompletionResultType]::ParameterValue, 'Consumer groups'' committed offsets, end offsets and lag')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Alerts per visit and band, bytes and time range of a topic or visit file')
            [CompletionResult]::new('filter', 'filter', [CompletionResultType]::ParameterValue, 'Run jq filters over the alert stream (or a visit file)')
            [CompletionResult]::new('moc', 'moc', [CompletionResultType]::ParameterValue, 'Sky regions: the MOC of a gravitational-wave sky map''s credible region')
            [CompletionResult]::new('registry', 'registry', [CompletionResultType]::ParameterValue, 'Serve a Confluent-compatible schema registry')
            [CompletionResult]::new('topic', 'topic', [CompletionResultType]::ParameterValue, 'Create, list, describe, delete and expire topics')
            [CompletionResult]::new('archive', 'archive', [CompletionResultType]::ParameterValue, 'Copy alerts into an archive in Rubin''s layout (a directory or S3), or verify one')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Fetch alerts by id from an archive or a topic')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Export a night (a window, a file) to Parquet with a manifest, or verify an export')
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
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check a new schema''s compatibility with earlier ones (exit 0 compatible, 1 not, 2 usage)')
            [CompletionResult]::new('bump', 'bump', [CompletionResultType]::ParameterValue, 'Say whether a new schema is a MINOR release of the newest MAJOR or needs a new MAJOR')
            [CompletionResult]::new('register', 'register', [CompletionResultType]::ParameterValue, 'Register a schema with a registry (with --id: in IMPORT mode)')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Get a schema from a registry: by id, or SUBJECT[@VERSION] (latest by default)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a subject, or SUBJECT@VERSION, from a registry (soft; then --permanent)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Register a whole alert_packet tree the way Rubin does: ids = versions, both subject styles')
            break
        }
        'alertctl;help;schema;show' {
            break
        }
        'alertctl;help;schema;list' {
            break
        }
        'alertctl;help;schema;check' {
            break
        }
        'alertctl;help;schema;bump' {
            break
        }
        'alertctl;help;schema;register' {
            break
        }
        'alertctl;help;schema;get' {
            break
        }
        'alertctl;help;schema;delete' {
            break
        }
        'alertctl;help;schema;import' {
            break
        }
        'alertctl;help;bench' {
            [CompletionResult]::new('decode', 'decode', [CompletionResultType]::ParameterValue, 'Decode generated alerts (with cutouts) to the JSON view: alerts/s and MB/s')
            [CompletionResult]::new('kafka', 'kafka', [CompletionResultType]::ParameterValue, 'Produce generated alerts to a new topic and consume them back: alerts/s and MB/s')
            [CompletionResult]::new('filter', 'filter', [CompletionResultType]::ParameterValue, 'Filter throughput as users get it: `filter run` end to end, the engine alone, and Python')
            [CompletionResult]::new('engine', 'engine', [CompletionResultType]::ParameterValue, 'The filter engine alone over your own alerts and filters: alerts/s on one core')
            [CompletionResult]::new('mirror', 'mirror', [CompletionResultType]::ParameterValue, 'Mirror throughput between two brokers: generated alerts, copied byte for byte')
            [CompletionResult]::new('night', 'night', [CompletionResultType]::ParameterValue, 'A scaled night through the real path: produce, mirror, N filters, a user''s consumer')
            break
        }
        'alertctl;help;bench;decode' {
            break
        }
        'alertctl;help;bench;kafka' {
            break
        }
        'alertctl;help;bench;filter' {
            break
        }
        'alertctl;help;bench;engine' {
            break
        }
        'alertctl;help;bench;mirror' {
            break
        }
        'alertctl;help;bench;night' {
            break
        }
        'alertctl;help;replay' {
            break
        }
        'alertctl;help;rewind' {
            break
        }
        'alertctl;help;mirror' {
            break
        }
        'alertctl;help;sandbox' {
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Start a broker and a schema registry, and fill tonight''s topic with the standard test night')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Say what the sandbox runs and whether it answers')
            [CompletionResult]::new('env', 'env', [CompletionResultType]::ParameterValue, 'Print the shell exports that point alertctl at the sandbox: eval "$(alertctl sandbox env)"')
            [CompletionResult]::new('down', 'down', [CompletionResultType]::ParameterValue, 'Stop what `sandbox up` started (by pid); nothing is left listening')
            break
        }
        'alertctl;help;sandbox;up' {
            break
        }
        'alertctl;help;sandbox;status' {
            break
        }
        'alertctl;help;sandbox;env' {
            break
        }
        'alertctl;help;sandbox;down' {
            break
        }
        'alertctl;help;show' {
            break
        }
        'alertctl;help;lag' {
            break
        }
        'alertctl;help;stats' {
            break
        }
        'alertctl;help;filter' {
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run filters over a topic (or a visit file) and write what passes')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check filters against a schema version: paths it lacks, literals of another type')
            [CompletionResult]::new('eval', 'eval', [CompletionResultType]::ParameterValue, 'Evaluate an expression over JSON values (as jq -c), with the filters'' functions')
            break
        }
        'alertctl;help;filter;run' {
            break
        }
        'alertctl;help;filter;check' {
            break
        }
        'alertctl;help;filter;eval' {
            break
        }
        'alertctl;help;moc' {
            [CompletionResult]::new('from-skymap', 'from-skymap', [CompletionResultType]::ParameterValue, 'Turn a HEALPix probability sky map into the MOC of its credible region')
            [CompletionResult]::new('from-cone', 'from-cone', [CompletionResultType]::ParameterValue, 'The MOC of a disc on the sky (a field, a galaxy, a cluster)')
            break
        }
        'alertctl;help;moc;from-skymap' {
            break
        }
        'alertctl;help;moc;from-cone' {
            break
        }
        'alertctl;help;registry' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the Confluent Schema Registry REST API from a local store')
            break
        }
        'alertctl;help;registry;serve' {
            break
        }
        'alertctl;help;topic' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List topics: partitions, messages (by watermarks), retention, night')
            [CompletionResult]::new('describe', 'describe', [CompletionResultType]::ParameterValue, 'Show one topic''s partitions with their watermarks')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a topic (a night''s topic with --night)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a topic')
            [CompletionResult]::new('expire', 'expire', [CompletionResultType]::ParameterValue, 'Delete night topics (lsst-YYYY-MM-DD) older than a number of days, by name')
            break
        }
        'alertctl;help;topic;list' {
            break
        }
        'alertctl;help;topic;describe' {
            break
        }
        'alertctl;help;topic;create' {
            break
        }
        'alertctl;help;topic;delete' {
            break
        }
        'alertctl;help;topic;expire' {
            break
        }
        'alertctl;help;archive' {
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check that an archive has every alert of a topic (window) and every schema they use')
            break
        }
        'alertctl;help;archive;verify' {
            break
        }
        'alertctl;help;get' {
            break
        }
        'alertctl;help;export' {
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check an export''s files against its manifest, and its ranges against the topic')
            break
        }
        'alertctl;help;export;verify' {
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
