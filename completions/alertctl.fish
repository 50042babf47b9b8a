# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_alertctl_global_optspecs
    string join \n h/help V/version
end

function __fish_alertctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_alertctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_alertctl_using_subcommand
    set -l cmd (__fish_alertctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c alertctl -n "__fish_alertctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c alertctl -n "__fish_alertctl_needs_command" -s V -l version -d 'Print version'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "produce" -d 'Generate sample visits of alerts (or send a visit file) to a Kafka topic or a file'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "tail" -d 'Decode alerts from Kafka topics or visit files to JSON lines or a table'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "schema" -d 'Alert schemas: show, list, check compatibility, bump, and registry register/get/list/delete/import'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "bench" -d 'Measure speed (decode, Kafka, filters, mirror, a night) and print a table'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "replay" -d 'Re-publish a night to another topic, paced by its timestamps'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "rewind" -d 'Move a consumer group\'s committed offsets (re-run a filter over a night)'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "mirror" -d 'Copy topics from another cluster, byte for byte (a mirror node)'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "sandbox" -d 'A local broker and registry with a standard test night: up, status, down'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "show" -d 'One alert as a table, and with --png its cutouts and light curve'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "lag" -d 'Consumer groups\' committed offsets, end offsets and lag'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "stats" -d 'Alerts per visit and band, bytes and time range of a topic or visit file'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "filter" -d 'Run jq filters over the alert stream (or a visit file)'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "moc" -d 'Sky regions: the MOC of a gravitational-wave sky map\'s credible region'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "registry" -d 'Serve a Confluent-compatible schema registry'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "topic" -d 'Create, list, describe, delete and expire topics'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "archive" -d 'Copy alerts into an archive in Rubin\'s layout (a directory or S3), or verify one'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "get" -d 'Fetch alerts by id from an archive or a topic'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "export" -d 'Export a night (a window, a file) to Parquet with a manifest, or verify an export'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "man" -d 'Print or write the man pages'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l visits -d 'Number of visits to generate' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l alerts-per-visit -d 'Alerts in each visit (Rubin sends about 10,000)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l out -d 'Write a visit file instead of sending to Kafka' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l file-format -d 'Format of the file written with --out' -r -f -a "ocf\t'Avro Object Container File'
wire\t'Length-framed Confluent wire-format packets'"
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l format -d 'The old spelling of --file-format (one more release)' -r -f -a "ocf\t'Avro Object Container File'
wire\t'Length-framed Confluent wire-format packets'"
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -s t -l topic -d 'The Kafka topic (default: the night\'s topic, lsst-YYYY-MM-DD)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l file -d 'Send the alerts of this visit file (OCF or wire) instead of generating them' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l from-file -d 'The old spelling of --file (one more release)' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l cadence -d 'Wait this long between the starts of consecutive visits (Rubin: 37s)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l timestamp -d 'Record timestamp (CreateTime): the observation time, or now' -r -f -a "auto\t'The observation time, unless it is still in the future (a night not yet observed): then now'
observation\t'The alert\'s observation time (diaSource midpoint), always'
now\t'The time of sending'"
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l partitions -d 'Partitions of a topic created here (default 4; 45 for a per-major topic, as Rubin\'s)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l retention -d 'Retention of a topic created here: a duration or `forever` (default 7d; 30d for a per-major topic, as Rubin\'s)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l schema-version -d 'Schema version MAJOR.MINOR to generate (default: the newest under --schema-dir, else the built-in 0.1)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l schema -d 'Generate for the schema in this self-contained .avsc file' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l schema-id -d 'Schema id for wire packets when the schema\'s namespace carries no version' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l registry -d 'A Confluent-API schema registry to look schema ids up in (cached on disk)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l seed -d 'Seed of the random stream: the same seed and night give the same alerts' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l night -d 'Observing night (dayObs) of the alerts, and of the default topic: YYYY-MM-DD, today or yesterday' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l max-history -d 'Longest history (prvDiaSources) per alert; each alert draws 0..=N' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l cutout-size -d 'Width and height of the three FITS cutouts, pixels (0: no cutouts)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -s b -l brokers -d 'Bootstrap brokers, comma-separated HOST:PORT' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l profile -d 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -s X -d 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l timeout -d 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l no-wait -d 'Send visits back to back, without waiting for the cadence'
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -l workers -d 'Threads that decode and encode alerts in parallel (0: one per core). Output keeps the input\'s order; with a group, only what is written is committed' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -l from -d 'The topic to read, or a regex matching several (`lsst-2024-05-.*`)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -l night -d 'A night (YYYY-MM-DD, today or yesterday): its topic, or on a long-lived topic (--from, or the profile\'s per-major layout) its dayObs window, 12:00 to 12:00 UTC' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -l window-by -d 'With --night on a long-lived topic: select by record timestamp (`timestamp`, found per partition with offsets-for-times; ingest time on a LogAppendTime topic) or by the alert\'s own observation time (`observation`, diaSource.midpointMjdTai, reading --window-margin on both sides of the window)' -r -f -a "timestamp\t''
observation\t''"
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -l window-margin -d 'With --window-by observation: how far outside the window to read' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -l file -d 'Read a visit file (OCF or wire) instead of Kafka' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -s o -l offset -d 'Where to start: beginning, end, stored, N, -N, @TIME' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -s n -l num -d 'Print only the last N alerts, then exit (keep following with -f)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -s G -l group -d 'Consume as this consumer group, committing offsets as alerts are printed' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -l format -d 'Output format (default: table on a terminal, jsonl otherwise)' -r -f -a "table\t'Aligned columns for people (the default on a terminal); `text` is the same'
jsonl\t'One JSON object per line (the default when stdout is not a terminal)'
json\t'One JSON document'
raw\t'The packets themselves, length-framed: a wire visit file'
envelope\t'One JSON object per record, as kcat -J prints: topic, partition, offset, timestamp and its type, key, headers (a map), schema id, and the alert\'s JSON view as `value`'
envelope-raw\t'The envelope with the packet itself, base64, as `value`; nothing is decoded'"
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -l cutouts -d 'How the FITS cutouts appear: left out, their size, or kept (base64)' -r -f -a "omit\t'Leave the cutouts out'
size\t'Show each cutout\'s size only, {"bytes": N}'
keep\t'Keep the cutouts\' bytes (base64 in JSON, binary columns in Parquet)'"
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -l fields -d 'Table columns: comma-separated dotted paths; `a|b` takes the first present' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -l registry -d 'A Confluent-API schema registry to look schema ids up in (cached on disk)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -l reader-version -d 'Resolve every alert into this schema version (Avro schema resolution), from --schema-dir' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -l reader-schema -d 'Resolve every alert into the schema in this .avsc file' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -s b -l brokers -d 'Bootstrap brokers, comma-separated HOST:PORT' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -l profile -d 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -s X -d 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -l timeout -d 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -s f -l follow -d 'Keep following for new alerts (the default without -e or -n)'
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -s e -l exit -d 'Exit at the end of the partitions (as they were when read)'
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and not __fish_seen_subcommand_from show list check bump register get delete import help" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and not __fish_seen_subcommand_from show list check bump register get delete import help" -f -a "show" -d 'Print a schema\'s id, fingerprint and Parsing Canonical Form'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and not __fish_seen_subcommand_from show list check bump register get delete import help" -f -a "list" -d 'List the schema versions under a schema directory, with their ids'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and not __fish_seen_subcommand_from show list check bump register get delete import help" -f -a "check" -d 'Check a new schema\'s compatibility with earlier ones (exit 0 compatible, 1 not, 2 usage)'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and not __fish_seen_subcommand_from show list check bump register get delete import help" -f -a "bump" -d 'Say whether a new schema is a MINOR release of the newest MAJOR or needs a new MAJOR'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and not __fish_seen_subcommand_from show list check bump register get delete import help" -f -a "register" -d 'Register a schema with a registry (with --id: in IMPORT mode)'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and not __fish_seen_subcommand_from show list check bump register get delete import help" -f -a "get" -d 'Get a schema from a registry: by id, or SUBJECT[@VERSION] (latest by default)'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and not __fish_seen_subcommand_from show list check bump register get delete import help" -f -a "delete" -d 'Delete a subject, or SUBJECT@VERSION, from a registry (soft; then --permanent)'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and not __fish_seen_subcommand_from show list check bump register get delete import help" -f -a "import" -d 'Register a whole alert_packet tree the way Rubin does: ids = versions, both subject styles'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and not __fish_seen_subcommand_from show list check bump register get delete import help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from show" -l version -d 'Schema version MAJOR.MINOR (default: the newest under --schema-dir, else the built-in 0.1)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from show" -l schema -d 'A self-contained .avsc file instead of a version' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from show" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from show" -l registry -d 'A Confluent-API schema registry to look schema ids up in (cached on disk)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from show" -l format -d 'Output format: table (text) or json (default: table on a terminal, json otherwise)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from list" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from list" -l registry -d 'A Confluent-API schema registry to look schema ids up in (cached on disk)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from list" -l format -d 'Output format: table (text) or json (default: table on a terminal, json lines otherwise)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from check" -l against -d 'Schemas to check against, oldest first (files or versions); repeatable' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from check" -l subject -d 'Check against every version of this subject in --registry' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from check" -l level -d 'Confluent compatibility level' -r -f -a "BACKWARD\t'The new schema reads data written with the latest'
BACKWARD_TRANSITIVE\t'The new schema reads data written with every earlier one'
FORWARD\t'The latest schema reads data written with the new one'
FORWARD_TRANSITIVE\t'Every earlier schema reads data written with the new one (Rubin, within a MAJOR)'
FULL\t'Backward and forward with the latest'
FULL_TRANSITIVE\t'Backward and forward with every earlier one'
NONE\t'No check'"
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from check" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from check" -l registry -d 'A Confluent-API schema registry to look schema ids up in (cached on disk)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from check" -l format -d 'Output format: table (text) or json (default: table)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from check" -l json -d 'The old spelling of --format json (one more release)'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from bump" -l subject -d 'Subject name prefix; a MAJOR\'s subject is SUBJECT-MAJOR (looked up in --registry when given)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from bump" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from bump" -l registry -d 'A Confluent-API schema registry to look schema ids up in (cached on disk)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from bump" -l format -d 'Output format: table (text) or json (default: table)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from bump" -l json -d 'The old spelling of --format json (one more release)'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from bump" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from register" -l subject -d 'The subject' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from register" -l id -d 'Register with this id (the subject must be in IMPORT mode)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from register" -l version -d 'Register as this version (with --id)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from register" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from register" -l registry -d 'A Confluent-API schema registry to look schema ids up in (cached on disk)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from register" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from get" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from get" -l registry -d 'A Confluent-API schema registry to look schema ids up in (cached on disk)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from get" -l schema-only -d 'Print only the schema'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from delete" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from delete" -l registry -d 'A Confluent-API schema registry to look schema ids up in (cached on disk)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from delete" -l permanent -d 'Delete for good (after a soft delete)'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from import" -l subject -d 'The subject every version goes under' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from import" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from import" -l registry -d 'A Confluent-API schema registry to look schema ids up in (cached on disk)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print a schema\'s id, fingerprint and Parsing Canonical Form'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the schema versions under a schema directory, with their ids'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from help" -f -a "check" -d 'Check a new schema\'s compatibility with earlier ones (exit 0 compatible, 1 not, 2 usage)'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from help" -f -a "bump" -d 'Say whether a new schema is a MINOR release of the newest MAJOR or needs a new MAJOR'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from help" -f -a "register" -d 'Register a schema with a registry (with --id: in IMPORT mode)'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from help" -f -a "get" -d 'Get a schema from a registry: by id, or SUBJECT[@VERSION] (latest by default)'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete a subject, or SUBJECT@VERSION, from a registry (soft; then --permanent)'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from help" -f -a "import" -d 'Register a whole alert_packet tree the way Rubin does: ids = versions, both subject styles'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and not __fish_seen_subcommand_from decode kafka filter engine mirror night help" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and not __fish_seen_subcommand_from decode kafka filter engine mirror night help" -f -a "decode" -d 'Decode generated alerts (with cutouts) to the JSON view: alerts/s and MB/s'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and not __fish_seen_subcommand_from decode kafka filter engine mirror night help" -f -a "kafka" -d 'Produce generated alerts to a new topic and consume them back: alerts/s and MB/s'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and not __fish_seen_subcommand_from decode kafka filter engine mirror night help" -f -a "filter" -d 'Filter throughput as users get it: `filter run` end to end, the engine alone, and Python'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and not __fish_seen_subcommand_from decode kafka filter engine mirror night help" -f -a "engine" -d 'The filter engine alone over your own alerts and filters: alerts/s on one core'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and not __fish_seen_subcommand_from decode kafka filter engine mirror night help" -f -a "mirror" -d 'Mirror throughput between two brokers: generated alerts, copied byte for byte'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and not __fish_seen_subcommand_from decode kafka filter engine mirror night help" -f -a "night" -d 'A scaled night through the real path: produce, mirror, N filters, a user\'s consumer'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and not __fish_seen_subcommand_from decode kafka filter engine mirror night help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from decode" -l alerts -d 'Number of alerts to decode in the timed pass' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from decode" -l schema-version -d 'Schema version to generate (default: the newest under --schema-dir, else the built-in 0.1)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from decode" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from decode" -l registry -d 'A Confluent-API schema registry to look schema ids up in (cached on disk)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from decode" -l cutout-size -d 'Cutout width and height, pixels' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from decode" -l max-history -d 'Longest history per alert (default: 10; 30 for bench filter)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from decode" -l alerts-per-visit -d 'Alerts in each visit (Rubin sends about 10,000); caps per visit bind less in bigger visits' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from decode" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from kafka" -l alerts -d 'Number of alerts' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from kafka" -l schema-version -d 'Schema version to generate (default: the newest under --schema-dir, else the built-in 0.1)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from kafka" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from kafka" -l registry -d 'A Confluent-API schema registry to look schema ids up in (cached on disk)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from kafka" -l cutout-size -d 'Cutout width and height, pixels' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from kafka" -l max-history -d 'Longest history per alert (default: 10; 30 for bench filter)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from kafka" -l alerts-per-visit -d 'Alerts in each visit (Rubin sends about 10,000); caps per visit bind less in bigger visits' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from kafka" -s b -l brokers -d 'Bootstrap brokers, comma-separated HOST:PORT' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from kafka" -l profile -d 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from kafka" -s X -d 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from kafka" -l timeout -d 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from kafka" -l keep -d 'Keep the topic afterwards'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from kafka" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from filter" -l alerts -d 'Number of alerts' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from filter" -l filters -d 'Production-like filters in the many-filters rows' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from filter" -l schema-version -d 'Schema version to generate (default: the newest under --schema-dir, else the built-in 0.1)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from filter" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from filter" -l registry -d 'A Confluent-API schema registry to look schema ids up in (cached on disk)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from filter" -l cutout-size -d 'Cutout width and height, pixels' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from filter" -l max-history -d 'Longest history per alert (default: 10; 30 for bench filter)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from filter" -l alerts-per-visit -d 'Alerts in each visit (Rubin sends about 10,000); caps per visit bind less in bigger visits' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from filter" -l python -d 'The Python for the reference rows (needs fastavro); empty to skip them' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from filter" -s b -l brokers -d 'Brokers for the `filter run --from` row (an in-memory local broker); without them the row is left out' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from filter" -l keep -d 'Keep the benchmark\'s files (alerts, filters.toml, Python scripts) in this directory' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from filter" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from engine" -l file -d 'The alerts: a wire file' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from engine" -l filters -d 'The filters' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from engine" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from engine" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from mirror" -l source-brokers -d 'The source brokers' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from mirror" -l alerts -d 'Number of alerts' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from mirror" -l schema-version -d 'Schema version to generate (default: the newest under --schema-dir, else the built-in 0.1)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from mirror" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from mirror" -l registry -d 'A Confluent-API schema registry to look schema ids up in (cached on disk)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from mirror" -l cutout-size -d 'Cutout width and height, pixels' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from mirror" -l max-history -d 'Longest history per alert (default: 10; 30 for bench filter)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from mirror" -l alerts-per-visit -d 'Alerts in each visit (Rubin sends about 10,000); caps per visit bind less in bigger visits' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from mirror" -s b -l brokers -d 'Bootstrap brokers, comma-separated HOST:PORT' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from mirror" -l profile -d 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from mirror" -s X -d 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from mirror" -l timeout -d 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from mirror" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from night" -l source-brokers -d 'The central brokers (the producer writes there; the mirror reads)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from night" -l scale -d 'Alerts per visit as a fraction of Rubin\'s 10,000' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from night" -l visits -d 'Visits' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from night" -l cadence -d 'Time between visits' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from night" -l filters -d 'Filters, each capped at 20 alerts per visit' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from night" -l cutout-size -d 'Cutout width and height, pixels' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from night" -l seed -d 'Seed of the generated alerts' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from night" -l json -d 'Also write the result as JSON here, and a latency histogram next to it (FILE.png)' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from night" -l schema-version -d 'Generate alerts of this official version from --schema-dir (generated before the night starts) and run the production-like filters of `bench filter`; without it, the built-in sample schema and SNR cuts' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from night" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from night" -l registry -d 'A Confluent-API schema registry to look schema ids up in (cached on disk)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from night" -s b -l brokers -d 'Bootstrap brokers, comma-separated HOST:PORT' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from night" -l profile -d 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from night" -s X -d 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from night" -l timeout -d 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from night" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "decode" -d 'Decode generated alerts (with cutouts) to the JSON view: alerts/s and MB/s'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "kafka" -d 'Produce generated alerts to a new topic and consume them back: alerts/s and MB/s'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "filter" -d 'Filter throughput as users get it: `filter run` end to end, the engine alone, and Python'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "engine" -d 'The filter engine alone over your own alerts and filters: alerts/s on one core'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "mirror" -d 'Mirror throughput between two brokers: generated alerts, copied byte for byte'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "night" -d 'A scaled night through the real path: produce, mirror, N filters, a user\'s consumer'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c alertctl -n "__fish_alertctl_using_subcommand replay" -l from -d 'The topic to read, or a regex matching several (`lsst-2024-05-.*`)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand replay" -l night -d 'A night: its topic, or on a long-lived topic its dayObs window (12:00 to 12:00 UTC)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand replay" -l to -d 'The topic to write' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand replay" -s o -l offset -d 'Where to start: beginning, N, -N, @TIME or @T1:T2' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand replay" -l until -d 'Stop before the first record after this time (@TIME)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand replay" -l speed -d 'Speed factor (1 = real time), or max' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand replay" -l timestamp -d 'Timestamps of the copies: `original` (their CreateTime) or `now`' -r -f -a "original\t''
now\t''"
complete -c alertctl -n "__fish_alertctl_using_subcommand replay" -l interval -d 'With --loop: time between visits' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand replay" -s b -l brokers -d 'Bootstrap brokers, comma-separated HOST:PORT' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand replay" -l profile -d 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand replay" -s X -d 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand replay" -l timeout -d 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand replay" -l loop -d 'Replay forever, one visit every --interval, stamped now'
complete -c alertctl -n "__fish_alertctl_using_subcommand replay" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand rewind" -s G -l group -d 'The consumer group' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand rewind" -l from -d 'The topic' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand rewind" -s t -l topic -d 'The old spelling of --from (one more release)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand rewind" -l night -d 'A night: its topic, or on a long-lived topic its window' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand rewind" -s o -l offset -d 'Where to move: beginning, end, or @TIME (the first record at or after it)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand rewind" -l shift -d 'Move by N records from the committed offset (negative: back)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand rewind" -l to -d 'The old spelling of -o @TIME' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand rewind" -l format -d 'Output format (default: table on a terminal, jsonl otherwise)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand rewind" -s b -l brokers -d 'Bootstrap brokers, comma-separated HOST:PORT' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand rewind" -l profile -d 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand rewind" -s X -d 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand rewind" -l timeout -d 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand rewind" -l to-beginning -d 'The old spelling of -o beginning'
complete -c alertctl -n "__fish_alertctl_using_subcommand rewind" -l to-end -d 'The old spelling of -o end'
complete -c alertctl -n "__fish_alertctl_using_subcommand rewind" -l dry-run -d 'Say what would move, and move nothing'
complete -c alertctl -n "__fish_alertctl_using_subcommand rewind" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand mirror" -l source-brokers -d 'The source cluster\'s bootstrap brokers' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand mirror" -l source-x -d 'A librdkafka property for the source cluster (repeatable)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand mirror" -l topics -d 'Topics to mirror: a regex matched against whole names' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand mirror" -s G -l group -d 'The consumer group on the source' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand mirror" -l retry-for -d 'Wait out delivery failures (the local broker away) this long, backing off, before stopping; nothing past them is committed' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand mirror" -l report-every -d 'How often to report progress and lag on stderr' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand mirror" -l lag-warn -d 'Say on stderr when the lag behind the source exceeds this many records (a visit\'s worth), and when it has caught up; 0: never' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand mirror" -s b -l brokers -d 'Bootstrap brokers, comma-separated HOST:PORT' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand mirror" -l profile -d 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand mirror" -s X -d 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand mirror" -l timeout -d 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand mirror" -s e -l exit -d 'Exit once the partitions are copied up to where they ended when first seen'
complete -c alertctl -n "__fish_alertctl_using_subcommand mirror" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand sandbox; and not __fish_seen_subcommand_from up status env down help" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand sandbox; and not __fish_seen_subcommand_from up status env down help" -f -a "up" -d 'Start a broker and a schema registry, and fill tonight\'s topic with the standard test night'
complete -c alertctl -n "__fish_alertctl_using_subcommand sandbox; and not __fish_seen_subcommand_from up status env down help" -f -a "status" -d 'Say what the sandbox runs and whether it answers'
complete -c alertctl -n "__fish_alertctl_using_subcommand sandbox; and not __fish_seen_subcommand_from up status env down help" -f -a "env" -d 'Print the shell exports that point alertctl at the sandbox: eval "$(alertctl sandbox env)"'
complete -c alertctl -n "__fish_alertctl_using_subcommand sandbox; and not __fish_seen_subcommand_from up status env down help" -f -a "down" -d 'Stop what `sandbox up` started (by pid); nothing is left listening'
complete -c alertctl -n "__fish_alertctl_using_subcommand sandbox; and not __fish_seen_subcommand_from up status env down help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c alertctl -n "__fish_alertctl_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l dir -d 'The sandbox directory (default: ~/.local/share/alertctl/sandbox)' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l nights -d 'Nights of alerts: tonight and the nights before it' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l visits -d 'Visits per night' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l alerts-per-visit -d 'Alerts per visit' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l layout -d 'Topic layout: a topic per night (the design), or Rubin\'s production layout, one long-lived 45-partition topic per schema MAJOR (lsst-alerts-v{major}) holding every night. Commands that use the sandbox\'s broker follow its layout' -r -f -a "nightly\t''
per-major\t''"
complete -c alertctl -n "__fish_alertctl_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l schema-dir -d 'Rubin schema trees to register too (alert_packet layout), as Rubin does' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand sandbox; and __fish_seen_subcommand_from up" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l dir -d 'The sandbox directory (default: ~/.local/share/alertctl/sandbox)' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand sandbox; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand sandbox; and __fish_seen_subcommand_from env" -l dir -d 'The sandbox directory (default: ~/.local/share/alertctl/sandbox)' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand sandbox; and __fish_seen_subcommand_from env" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand sandbox; and __fish_seen_subcommand_from down" -l dir -d 'The sandbox directory (default: ~/.local/share/alertctl/sandbox)' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand sandbox; and __fish_seen_subcommand_from down" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand sandbox; and __fish_seen_subcommand_from help" -f -a "up" -d 'Start a broker and a schema registry, and fill tonight\'s topic with the standard test night'
complete -c alertctl -n "__fish_alertctl_using_subcommand sandbox; and __fish_seen_subcommand_from help" -f -a "status" -d 'Say what the sandbox runs and whether it answers'
complete -c alertctl -n "__fish_alertctl_using_subcommand sandbox; and __fish_seen_subcommand_from help" -f -a "env" -d 'Print the shell exports that point alertctl at the sandbox: eval "$(alertctl sandbox env)"'
complete -c alertctl -n "__fish_alertctl_using_subcommand sandbox; and __fish_seen_subcommand_from help" -f -a "down" -d 'Stop what `sandbox up` started (by pid); nothing is left listening'
complete -c alertctl -n "__fish_alertctl_using_subcommand sandbox; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c alertctl -n "__fish_alertctl_using_subcommand show" -l file -d 'A visit file instead (with --index)' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand show" -l index -d 'The alert\'s 0-based record number in --file' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand show" -l png -d 'Also draw the alert\'s cutouts and light curve to this PNG file' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand show" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand show" -l registry -d 'A Confluent-API schema registry to look schema ids up in (cached on disk)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand show" -s b -l brokers -d 'Bootstrap brokers, comma-separated HOST:PORT' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand show" -l profile -d 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand show" -s X -d 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand show" -l timeout -d 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand show" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand lag" -s G -l group -d 'Only this group (the profile\'s group_prefix applies)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand lag" -l format -d 'Output format (default: table on a terminal, jsonl otherwise)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand lag" -s b -l brokers -d 'Bootstrap brokers, comma-separated HOST:PORT' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand lag" -l profile -d 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand lag" -s X -d 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand lag" -l timeout -d 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand lag" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand stats" -l from -d 'The topic to read, or a regex matching several (`lsst-2024-05-.*`)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand stats" -l night -d 'A night: its topic, or on a long-lived topic its dayObs window' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand stats" -l window-by -d 'With --night on a long-lived topic: select by record timestamp (`timestamp`, found per partition with offsets-for-times; ingest time on a LogAppendTime topic) or by the alert\'s own observation time (`observation`, diaSource.midpointMjdTai, reading --window-margin on both sides of the window)' -r -f -a "timestamp\t''
observation\t''"
complete -c alertctl -n "__fish_alertctl_using_subcommand stats" -l window-margin -d 'With --window-by observation: how far outside the window to read' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand stats" -l file -d 'A visit file instead of Kafka' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand stats" -l format -d 'Output format (default: text on a terminal, one JSON object otherwise)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand stats" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand stats" -l registry -d 'A Confluent-API schema registry to look schema ids up in (cached on disk)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand stats" -s b -l brokers -d 'Bootstrap brokers, comma-separated HOST:PORT' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand stats" -l profile -d 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand stats" -s X -d 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand stats" -l timeout -d 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand stats" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and not __fish_seen_subcommand_from run check eval help" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and not __fish_seen_subcommand_from run check eval help" -f -a "run" -d 'Run filters over a topic (or a visit file) and write what passes'
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and not __fish_seen_subcommand_from run check eval help" -f -a "check" -d 'Check filters against a schema version: paths it lacks, literals of another type'
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and not __fish_seen_subcommand_from run check eval help" -f -a "eval" -d 'Evaluate an expression over JSON values (as jq -c), with the filters\' functions'
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and not __fish_seen_subcommand_from run check eval help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l expr -d 'The jq expression (with --name)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l name -d 'The filter\'s name; its output topic unless --to' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l to -d 'Output topic (default: the name)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l max-per-visit -d 'At most this many alerts per visit (0: no cap)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l visit-key -d 'Where the visit id is (a jq path)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l rank-by -d 'Keep the best N of each visit by this expression (higher is better) instead of the first N' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l drop -d 'Null these optional fields in passing alerts (e.g. cutoutScience,cutoutTemplate,prvDiaSources)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l filters -d 'A filters file of [[filter]] tables' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l only -d 'With --filters: run only these filters (repeatable)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l index -d 'With --filters: run only the Nth filter (1-based)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l from -d 'Input topic, or a regex of topics (or --file)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l night -d 'A night: its topic, or on a long-lived topic (--from, or the profile\'s per-major layout) its dayObs window, 12:00 to 12:00 UTC, read to its end' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -s o -l offset -d 'Where to start without committed offsets: beginning, end, N, -N, @TIME, @T1:T2' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -s G -l group -d 'Consumer group: instances of one group share the partitions. A member joining or leaving moves only the partitions that change hands (cooperative-sticky), and what was sent from them is committed before they are given up. A member stopped while its group rebalances waits that out (up to 10 s) to commit' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l dead-letter -d 'Copy undecodable records here (with a header saying why)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l visit-grace -d 'With --rank-by: a visit is complete this long after later visits reached every partition' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l visit-timeout -d 'With --rank-by: a visit is complete at the latest this long after its first alert' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l file -d 'Read a visit file (OCF or wire) instead of Kafka' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l input -d 'The old spelling of --file (one more release)' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l out -d 'With --file: write the passing alerts of the (one) filter to this wire file' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l out-dir -d 'With --file: write each filter\'s passing alerts to DIR/NAME.wire' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l cutouts -d 'How cutouts appear in JSON output' -r -f -a "omit\t'Leave the cutouts out'
size\t'Show each cutout\'s size only, {"bytes": N}'
keep\t'Keep the cutouts\' bytes (base64 in JSON, binary columns in Parquet)'"
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l max-outputs -d 'Per-alert output budget of an expression' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l max-time -d 'Per-alert time budget of an expression' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l strikes -d 'Times over budget before a filter is disabled' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l retry-for -d 'With Kafka: wait out failures that may pass (broker away, registry not answering) this long, backing off, before stopping; nothing past them is committed' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l lag-warn -d 'With Kafka: say on stderr when the input lag exceeds this many records (a visit\'s worth), and when it has caught up; 0: never' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l hard-time -d 'End the process (before any commit) if one evaluation runs longer than this' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l max-memory -d 'End the process (before any commit) if one evaluation holds more than this many bytes' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l watchlist -d 'A watchlist for `watchlist("NAME")`: a CSV (ra, dec, name[, radius arcsec], comma or `|`, header optional) or Parquet file, reloaded when it changes; repeatable' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l moc -d 'A MOC for `in_moc("NAME")`: IVOA FITS (mocpy, Aladin), ASCII or JSON; repeatable' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l registry -d 'A Confluent-API schema registry to look schema ids up in (cached on disk)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -s b -l brokers -d 'Bootstrap brokers, comma-separated HOST:PORT' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l profile -d 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -s X -d 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l timeout -d 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -s e -l exit -d 'Exit at the end of the input partitions (as they were when read)'
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -l allow-unbounded -d 'Allow loops and recursion in --expr (refused by default: they may never end)'
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from check" -l expr -d 'The jq expression to check' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from check" -l name -d 'The name shown for --expr' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from check" -l filters -d 'A filters file of [[filter]] tables (expr, rank_by and visit_key are checked)' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from check" -l schema-version -d 'The schema version MAJOR.MINOR, from --schema-dir (default: the newest there, else the built-in sample)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from check" -l schema -d 'A self-contained .avsc file instead' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from check" -l format -d 'Output format (default: table on a terminal, jsonl otherwise)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from check" -l watchlist -d 'A watchlist for `watchlist("NAME")`: a CSV (ra, dec, name[, radius arcsec], comma or `|`, header optional) or Parquet file, reloaded when it changes; repeatable' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from check" -l moc -d 'A MOC for `in_moc("NAME")`: IVOA FITS (mocpy, Aladin), ASCII or JSON; repeatable' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from check" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from check" -l registry -d 'A Confluent-API schema registry to look schema ids up in (cached on disk)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from check" -l allow-unbounded -d 'Allow loops and recursion in --expr (as filter run)'
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from eval" -l expr -d 'The jq expression' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from eval" -l file -d 'Read JSON values from this file instead of stdin' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from eval" -l watchlist -d 'A watchlist for `watchlist("NAME")`: a CSV (ra, dec, name[, radius arcsec], comma or `|`, header optional) or Parquet file, reloaded when it changes; repeatable' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from eval" -l moc -d 'A MOC for `in_moc("NAME")`: IVOA FITS (mocpy, Aladin), ASCII or JSON; repeatable' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from eval" -l allow-unbounded -d 'Allow loops and recursion (refused by default: they may never end)'
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from eval" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from help" -f -a "run" -d 'Run filters over a topic (or a visit file) and write what passes'
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from help" -f -a "check" -d 'Check filters against a schema version: paths it lacks, literals of another type'
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from help" -f -a "eval" -d 'Evaluate an expression over JSON values (as jq -c), with the filters\' functions'
complete -c alertctl -n "__fish_alertctl_using_subcommand filter; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c alertctl -n "__fish_alertctl_using_subcommand moc; and not __fish_seen_subcommand_from from-skymap from-cone help" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand moc; and not __fish_seen_subcommand_from from-skymap from-cone help" -f -a "from-skymap" -d 'Turn a HEALPix probability sky map into the MOC of its credible region'
complete -c alertctl -n "__fish_alertctl_using_subcommand moc; and not __fish_seen_subcommand_from from-skymap from-cone help" -f -a "from-cone" -d 'The MOC of a disc on the sky (a field, a galaxy, a cluster)'
complete -c alertctl -n "__fish_alertctl_using_subcommand moc; and not __fish_seen_subcommand_from from-skymap from-cone help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c alertctl -n "__fish_alertctl_using_subcommand moc; and __fish_seen_subcommand_from from-skymap" -l credible -d 'The probability the region holds (0 < P <= 1)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand moc; and __fish_seen_subcommand_from from-skymap" -l out -d 'Where to write the MOC (FITS)' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand moc; and __fish_seen_subcommand_from from-skymap" -l format -d 'Output format of the summary (default: table on a terminal, jsonl otherwise)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand moc; and __fish_seen_subcommand_from from-skymap" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand moc; and __fish_seen_subcommand_from from-cone" -l ra -d 'Centre, degrees' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand moc; and __fish_seen_subcommand_from from-cone" -l dec -d 'Centre, degrees' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand moc; and __fish_seen_subcommand_from from-cone" -l radius -d 'Radius, degrees' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand moc; and __fish_seen_subcommand_from from-cone" -l depth -d 'HEALPix depth of the MOC\'s cells' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand moc; and __fish_seen_subcommand_from from-cone" -l out -d 'Where to write the MOC (FITS)' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand moc; and __fish_seen_subcommand_from from-cone" -l format -d 'Output format of the summary (default: table on a terminal, jsonl otherwise)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand moc; and __fish_seen_subcommand_from from-cone" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand moc; and __fish_seen_subcommand_from help" -f -a "from-skymap" -d 'Turn a HEALPix probability sky map into the MOC of its credible region'
complete -c alertctl -n "__fish_alertctl_using_subcommand moc; and __fish_seen_subcommand_from help" -f -a "from-cone" -d 'The MOC of a disc on the sky (a field, a galaxy, a cluster)'
complete -c alertctl -n "__fish_alertctl_using_subcommand moc; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c alertctl -n "__fish_alertctl_using_subcommand registry; and not __fish_seen_subcommand_from serve help" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand registry; and not __fish_seen_subcommand_from serve help" -f -a "serve" -d 'Serve the Confluent Schema Registry REST API from a local store'
complete -c alertctl -n "__fish_alertctl_using_subcommand registry; and not __fish_seen_subcommand_from serve help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c alertctl -n "__fish_alertctl_using_subcommand registry; and __fish_seen_subcommand_from serve" -l listen -d 'Address to listen on' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand registry; and __fish_seen_subcommand_from serve" -l data -d 'The store\'s directory (created if missing)' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand registry; and __fish_seen_subcommand_from serve" -l basic-auth -d 'Require HTTP basic auth for every request' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand registry; and __fish_seen_subcommand_from serve" -l max-body -d 'Largest request body accepted' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand registry; and __fish_seen_subcommand_from serve" -l compatibility -d 'The default compatibility level of subjects without their own' -r -f -a "BACKWARD\t'The new schema reads data written with the latest'
BACKWARD_TRANSITIVE\t'The new schema reads data written with every earlier one'
FORWARD\t'The latest schema reads data written with the new one'
FORWARD_TRANSITIVE\t'Every earlier schema reads data written with the new one (Rubin, within a MAJOR)'
FULL\t'Backward and forward with the latest'
FULL_TRANSITIVE\t'Backward and forward with every earlier one'
NONE\t'No check'"
complete -c alertctl -n "__fish_alertctl_using_subcommand registry; and __fish_seen_subcommand_from serve" -l threads -d 'Worker threads' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand registry; and __fish_seen_subcommand_from serve" -l read-only -d 'Refuse every change (registrations, deletes, config and mode changes)'
complete -c alertctl -n "__fish_alertctl_using_subcommand registry; and __fish_seen_subcommand_from serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c alertctl -n "__fish_alertctl_using_subcommand registry; and __fish_seen_subcommand_from help" -f -a "serve" -d 'Serve the Confluent Schema Registry REST API from a local store'
complete -c alertctl -n "__fish_alertctl_using_subcommand registry; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and not __fish_seen_subcommand_from list describe create delete expire help" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and not __fish_seen_subcommand_from list describe create delete expire help" -f -a "list" -d 'List topics: partitions, messages (by watermarks), retention, night'
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and not __fish_seen_subcommand_from list describe create delete expire help" -f -a "describe" -d 'Show one topic\'s partitions with their watermarks'
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and not __fish_seen_subcommand_from list describe create delete expire help" -f -a "create" -d 'Create a topic (a night\'s topic with --night)'
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and not __fish_seen_subcommand_from list describe create delete expire help" -f -a "delete" -d 'Delete a topic'
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and not __fish_seen_subcommand_from list describe create delete expire help" -f -a "expire" -d 'Delete night topics (lsst-YYYY-MM-DD) older than a number of days, by name'
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and not __fish_seen_subcommand_from list describe create delete expire help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from list" -s b -l brokers -d 'Bootstrap brokers, comma-separated HOST:PORT' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from list" -l profile -d 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from list" -s X -d 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from list" -l timeout -d 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from list" -l format -d 'Output format (default: table on a terminal, jsonl otherwise)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from describe" -l night -d 'A night\'s topic instead: YYYY-MM-DD, today or yesterday' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from describe" -s b -l brokers -d 'Bootstrap brokers, comma-separated HOST:PORT' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from describe" -l profile -d 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from describe" -s X -d 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from describe" -l timeout -d 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from describe" -l format -d 'Output format (default: table on a terminal, jsonl otherwise)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from describe" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from create" -l night -d 'A night\'s topic instead: YYYY-MM-DD, today or yesterday' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from create" -l partitions -d 'Partitions' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from create" -l replication -d 'Replication factor (default: 3 on a cluster of three brokers or more, else one copy per broker)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from create" -l retention -d 'How long records are kept: a duration (7d) or `forever`' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from create" -l timestamp-type -d 'Which time records carry: the producer\'s (create) or the broker\'s at append (log-append, as some of Rubin\'s deployments)' -r -f -a "create\t''
log-append\t''"
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from create" -s b -l brokers -d 'Bootstrap brokers, comma-separated HOST:PORT' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from create" -l profile -d 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from create" -s X -d 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from create" -l timeout -d 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from delete" -l night -d 'A night\'s topic instead: YYYY-MM-DD, today or yesterday' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from delete" -s b -l brokers -d 'Bootstrap brokers, comma-separated HOST:PORT' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from delete" -l profile -d 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from delete" -s X -d 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from delete" -l timeout -d 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from expire" -l older-than -d 'Delete night topics whose night is more than this long before tonight (7d)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from expire" -s b -l brokers -d 'Bootstrap brokers, comma-separated HOST:PORT' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from expire" -l profile -d 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from expire" -s X -d 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from expire" -l timeout -d 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from expire" -l dry-run -d 'Say what would be deleted, delete nothing'
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from expire" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from help" -f -a "list" -d 'List topics: partitions, messages (by watermarks), retention, night'
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from help" -f -a "describe" -d 'Show one topic\'s partitions with their watermarks'
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a topic (a night\'s topic with --night)'
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete a topic'
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from help" -f -a "expire" -d 'Delete night topics (lsst-YYYY-MM-DD) older than a number of days, by name'
complete -c alertctl -n "__fish_alertctl_using_subcommand topic; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -l from -d 'The topic, or a regex of topics' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -l night -d 'A night: its topic, or its dayObs window on a long-lived topic (then exit at its end)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -l archive -d 'The archive: a directory, or s3://bucket/prefix' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -l to -d 'The old spelling of --archive (--to is a topic everywhere now)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -s G -l group -d 'Consume as this group (commits after the objects are stored)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -l workers -d 'Threads that decode and encode alerts in parallel (0: one per core). Output keeps the input\'s order; with a group, only what is written is committed' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -l registry -d 'A Confluent-API schema registry to look schema ids up in (cached on disk)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -s b -l brokers -d 'Bootstrap brokers, comma-separated HOST:PORT' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -l profile -d 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -s X -d 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -l timeout -d 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -s e -l exit -d 'Exit at the end of the partitions (as they were when read)'
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -f -a "verify" -d 'Check that an archive has every alert of a topic (window) and every schema they use'
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and __fish_seen_subcommand_from verify" -l archive -d 'The archive: a directory, or s3://bucket/prefix' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and __fish_seen_subcommand_from verify" -l against -d 'The topic (or regex) whose alerts it must hold' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and __fish_seen_subcommand_from verify" -l night -d 'A night: its topic, or its window on --against' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and __fish_seen_subcommand_from verify" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and __fish_seen_subcommand_from verify" -l registry -d 'A Confluent-API schema registry to look schema ids up in (cached on disk)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and __fish_seen_subcommand_from verify" -s b -l brokers -d 'Bootstrap brokers, comma-separated HOST:PORT' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and __fish_seen_subcommand_from verify" -l profile -d 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and __fish_seen_subcommand_from verify" -s X -d 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and __fish_seen_subcommand_from verify" -l timeout -d 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check that an archive has every alert of a topic (window) and every schema they use'
complete -c alertctl -n "__fish_alertctl_using_subcommand archive; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c alertctl -n "__fish_alertctl_using_subcommand get" -l archive -d 'The archive: a directory, s3://bucket/prefix, or the archive service\'s URL' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand get" -l from -d 'Read this topic (or regex) instead' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand get" -l night -d 'A night: its topic, or its window on --from' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand get" -l cutouts -d 'How the cutouts appear in the JSON view' -r -f -a "omit\t'Leave the cutouts out'
size\t'Show each cutout\'s size only, {"bytes": N}'
keep\t'Keep the cutouts\' bytes (base64 in JSON, binary columns in Parquet)'"
complete -c alertctl -n "__fish_alertctl_using_subcommand get" -l fits-dir -d 'Write each alert\'s cutouts as FITS files here (ID-science.fits, ...)' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand get" -l png -d 'Draw the alert\'s cutouts and light curve to this PNG (one id)' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand get" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand get" -l registry -d 'A Confluent-API schema registry to look schema ids up in (cached on disk)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand get" -s b -l brokers -d 'Bootstrap brokers, comma-separated HOST:PORT' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand get" -l profile -d 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand get" -s X -d 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand get" -l timeout -d 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand get" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c alertctl -n "__fish_alertctl_using_subcommand export; and not __fish_seen_subcommand_from verify help" -l from -d 'The topic (or regex) to read' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand export; and not __fish_seen_subcommand_from verify help" -l night -d 'A night: its topic, or its dayObs window on --from' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand export; and not __fish_seen_subcommand_from verify help" -s o -l offset -d 'Where to start (read to the end): beginning, N, -N, @TIME, @T1:T2' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand export; and not __fish_seen_subcommand_from verify help" -l file -d 'A visit file instead of Kafka' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand export; and not __fish_seen_subcommand_from verify help" -l out -d 'The export directory (must not hold an export)' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand export; and not __fish_seen_subcommand_from verify help" -l file-format -d 'File format' -r -f -a "parquet\t'Apache Parquet, nested columns'
avro\t'Avro container files with the alert schema (cutouts nulled with --cutouts omit)'"
complete -c alertctl -n "__fish_alertctl_using_subcommand export; and not __fish_seen_subcommand_from verify help" -l cutouts -d 'Keep the cutouts (binary columns) or leave them out' -r -f -a "omit\t'Leave the cutouts out'
size\t'Show each cutout\'s size only, {"bytes": N}'
keep\t'Keep the cutouts\' bytes (base64 in JSON, binary columns in Parquet)'"
complete -c alertctl -n "__fish_alertctl_using_subcommand export; and not __fish_seen_subcommand_from verify help" -l workers -d 'Threads that decode and encode alerts in parallel (0: one per core). Output keeps the input\'s order; with a group, only what is written is committed' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand export; and not __fish_seen_subcommand_from verify help" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand export; and not __fish_seen_subcommand_from verify help" -l registry -d 'A Confluent-API schema registry to look schema ids up in (cached on disk)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand export; and not __fish_seen_subcommand_from verify help" -s b -l brokers -d 'Bootstrap brokers, comma-separated HOST:PORT' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand export; and not __fish_seen_subcommand_from verify help" -l profile -d 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand export; and not __fish_seen_subcommand_from verify help" -s X -d 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand export; and not __fish_seen_subcommand_from verify help" -l timeout -d 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand export; and not __fish_seen_subcommand_from verify help" -l by-band -d 'Partition by band under each night'
complete -c alertctl -n "__fish_alertctl_using_subcommand export; and not __fish_seen_subcommand_from verify help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c alertctl -n "__fish_alertctl_using_subcommand export; and not __fish_seen_subcommand_from verify help" -f -a "verify" -d 'Check an export\'s files against its manifest, and its ranges against the topic'
complete -c alertctl -n "__fish_alertctl_using_subcommand export; and not __fish_seen_subcommand_from verify help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c alertctl -n "__fish_alertctl_using_subcommand export; and __fish_seen_subcommand_from verify" -l against -d 'Also check the manifest\'s offset ranges against this topic (the same window)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand export; and __fish_seen_subcommand_from verify" -s b -l brokers -d 'Bootstrap brokers, comma-separated HOST:PORT' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand export; and __fish_seen_subcommand_from verify" -l profile -d 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand export; and __fish_seen_subcommand_from verify" -s X -d 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand export; and __fish_seen_subcommand_from verify" -l timeout -d 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand export; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand export; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check an export\'s files against its manifest, and its ranges against the topic'
complete -c alertctl -n "__fish_alertctl_using_subcommand export; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c alertctl -n "__fish_alertctl_using_subcommand completions" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand man" -l out-dir -d 'Write one page per command into this directory instead' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand man" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench replay rewind mirror sandbox show lag stats filter moc registry topic archive get export completions man help" -f -a "produce" -d 'Generate sample visits of alerts (or send a visit file) to a Kafka topic or a file'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench replay rewind mirror sandbox show lag stats filter moc registry topic archive get export completions man help" -f -a "tail" -d 'Decode alerts from Kafka topics or visit files to JSON lines or a table'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench replay rewind mirror sandbox show lag stats filter moc registry topic archive get export completions man help" -f -a "schema" -d 'Alert schemas: show, list, check compatibility, bump, and registry register/get/list/delete/import'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench replay rewind mirror sandbox show lag stats filter moc registry topic archive get export completions man help" -f -a "bench" -d 'Measure speed (decode, Kafka, filters, mirror, a night) and print a table'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench replay rewind mirror sandbox show lag stats filter moc registry topic archive get export completions man help" -f -a "replay" -d 'Re-publish a night to another topic, paced by its timestamps'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench replay rewind mirror sandbox show lag stats filter moc registry topic archive get export completions man help" -f -a "rewind" -d 'Move a consumer group\'s committed offsets (re-run a filter over a night)'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench replay rewind mirror sandbox show lag stats filter moc registry topic archive get export completions man help" -f -a "mirror" -d 'Copy topics from another cluster, byte for byte (a mirror node)'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench replay rewind mirror sandbox show lag stats filter moc registry topic archive get export completions man help" -f -a "sandbox" -d 'A local broker and registry with a standard test night: up, status, down'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench replay rewind mirror sandbox show lag stats filter moc registry topic archive get export completions man help" -f -a "show" -d 'One alert as a table, and with --png its cutouts and light curve'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench replay rewind mirror sandbox show lag stats filter moc registry topic archive get export completions man help" -f -a "lag" -d 'Consumer groups\' committed offsets, end offsets and lag'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench replay rewind mirror sandbox show lag stats filter moc registry topic archive get export completions man help" -f -a "stats" -d 'Alerts per visit and band, bytes and time range of a topic or visit file'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench replay rewind mirror sandbox show lag stats filter moc registry topic archive get export completions man help" -f -a "filter" -d 'Run jq filters over the alert stream (or a visit file)'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench replay rewind mirror sandbox show lag stats filter moc registry topic archive get export completions man help" -f -a "moc" -d 'Sky regions: the MOC of a gravitational-wave sky map\'s credible region'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench replay rewind mirror sandbox show lag stats filter moc registry topic archive get export completions man help" -f -a "registry" -d 'Serve a Confluent-compatible schema registry'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench replay rewind mirror sandbox show lag stats filter moc registry topic archive get export completions man help" -f -a "topic" -d 'Create, list, describe, delete and expire topics'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench replay rewind mirror sandbox show lag stats filter moc registry topic archive get export completions man help" -f -a "archive" -d 'Copy alerts into an archive in Rubin\'s layout (a directory or S3), or verify one'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench replay rewind mirror sandbox show lag stats filter moc registry topic archive get export completions man help" -f -a "get" -d 'Fetch alerts by id from an archive or a topic'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench replay rewind mirror sandbox show lag stats filter moc registry topic archive get export completions man help" -f -a "export" -d 'Export a night (a window, a file) to Parquet with a manifest, or verify an export'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench replay rewind mirror sandbox show lag stats filter moc registry topic archive get export completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench replay rewind mirror sandbox show lag stats filter moc registry topic archive get export completions man help" -f -a "man" -d 'Print or write the man pages'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench replay rewind mirror sandbox show lag stats filter moc registry topic archive get export completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from schema" -f -a "show" -d 'Print a schema\'s id, fingerprint and Parsing Canonical Form'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from schema" -f -a "list" -d 'List the schema versions under a schema directory, with their ids'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from schema" -f -a "check" -d 'Check a new schema\'s compatibility with earlier ones (exit 0 compatible, 1 not, 2 usage)'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from schema" -f -a "bump" -d 'Say whether a new schema is a MINOR release of the newest MAJOR or needs a new MAJOR'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from schema" -f -a "register" -d 'Register a schema with a registry (with --id: in IMPORT mode)'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from schema" -f -a "get" -d 'Get a schema from a registry: by id, or SUBJECT[@VERSION] (latest by default)'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from schema" -f -a "delete" -d 'Delete a subject, or SUBJECT@VERSION, from a registry (soft; then --permanent)'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from schema" -f -a "import" -d 'Register a whole alert_packet tree the way Rubin does: ids = versions, both subject styles'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "decode" -d 'Decode generated alerts (with cutouts) to the JSON view: alerts/s and MB/s'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "kafka" -d 'Produce generated alerts to a new topic and consume them back: alerts/s and MB/s'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "filter" -d 'Filter throughput as users get it: `filter run` end to end, the engine alone, and Python'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "engine" -d 'The filter engine alone over your own alerts and filters: alerts/s on one core'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "mirror" -d 'Mirror throughput between two brokers: generated alerts, copied byte for byte'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "night" -d 'A scaled night through the real path: produce, mirror, N filters, a user\'s consumer'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from sandbox" -f -a "up" -d 'Start a broker and a schema registry, and fill tonight\'s topic with the standard test night'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from sandbox" -f -a "status" -d 'Say what the sandbox runs and whether it answers'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from sandbox" -f -a "env" -d 'Print the shell exports that point alertctl at the sandbox: eval "$(alertctl sandbox env)"'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from sandbox" -f -a "down" -d 'Stop what `sandbox up` started (by pid); nothing is left listening'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from filter" -f -a "run" -d 'Run filters over a topic (or a visit file) and write what passes'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from filter" -f -a "check" -d 'Check filters against a schema version: paths it lacks, literals of another type'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from filter" -f -a "eval" -d 'Evaluate an expression over JSON values (as jq -c), with the filters\' functions'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from moc" -f -a "from-skymap" -d 'Turn a HEALPix probability sky map into the MOC of its credible region'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from moc" -f -a "from-cone" -d 'The MOC of a disc on the sky (a field, a galaxy, a cluster)'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from registry" -f -a "serve" -d 'Serve the Confluent Schema Registry REST API from a local store'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from topic" -f -a "list" -d 'List topics: partitions, messages (by watermarks), retention, night'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from topic" -f -a "describe" -d 'Show one topic\'s partitions with their watermarks'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from topic" -f -a "create" -d 'Create a topic (a night\'s topic with --night)'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from topic" -f -a "delete" -d 'Delete a topic'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from topic" -f -a "expire" -d 'Delete night topics (lsst-YYYY-MM-DD) older than a number of days, by name'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from archive" -f -a "verify" -d 'Check that an archive has every alert of a topic (window) and every schema they use'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from export" -f -a "verify" -d 'Check an export\'s files against its manifest, and its ranges against the topic'
