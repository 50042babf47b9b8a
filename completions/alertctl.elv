
use builtin;
use str;

set edit:completion:arg-completer[alertctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'alertctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'alertctl'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand produce 'Generate sample visits of alerts (or send a visit file) to a Kafka topic or a file'
            cand tail 'Decode alerts from Kafka topics or visit files to JSON lines or a table'
            cand schema 'Alert schemas: show, list, check compatibility, bump, and registry register/get/list/delete/import'
            cand bench 'Measure speed (decode, Kafka, filters, mirror, a night) and print a table'
            cand replay 'Re-publish a night to another topic, paced by its timestamps'
            cand rewind 'Move a consumer group''s committed offsets (re-run a filter over a night)'
            cand mirror 'Copy topics from another cluster, byte for byte (a mirror node)'
            cand sandbox 'A local broker and registry with a standard test night: up, status, down'
            cand show 'One alert as a table, and with --png its cutouts and light curve'
            cand lag 'Consumer groups'' committed offsets, end offsets and lag'
            cand stats 'Alerts per visit and band, bytes and time range of a topic or visit file'
            cand filter 'Run jq filters over the alert stream (or a visit file)'
            cand moc 'Sky regions: the MOC of a gravitational-wave sky map''s credible region'
            cand registry 'Serve a Confluent-compatible schema registry'
            cand topic 'Create, list, describe, delete and expire topics'
            cand archive 'Copy alerts into an archive in Rubin''s layout (a directory or S3), or verify one'
            cand get 'Fetch alerts by id from an archive or a topic'
            cand export 'Export a night (a window, a file) to Parquet with a manifest, or verify an export'
            cand completions 'Print a shell completion script'
            cand man 'Print or write the man pages'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'alertctl;produce'= {
            cand --visits 'Number of visits to generate'
            cand --alerts-per-visit 'Alerts in each visit (Rubin sends about 10,000)'
            cand --out 'Write a visit file instead of sending to Kafka'
            cand --file-format 'Format of the file written with --out'
            cand --format 'The old spelling of --file-format (one more release)'
            cand -t 'The Kafka topic (default: the night''s topic, lsst-YYYY-MM-DD)'
            cand --topic 'The Kafka topic (default: the night''s topic, lsst-YYYY-MM-DD)'
            cand --file 'Send the alerts of this visit file (OCF or wire) instead of generating them'
            cand --from-file 'The old spelling of --file (one more release)'
            cand --cadence 'Wait this long between the starts of consecutive visits (Rubin: 37s)'
            cand --timestamp 'Record timestamp (CreateTime): the observation time, or now'
            cand --partitions 'Partitions of a topic created here (default 4; 45 for a per-major topic, as Rubin''s)'
            cand --retention 'Retention of a topic created here: a duration or `forever` (default 7d; 30d for a per-major topic, as Rubin''s)'
            cand --schema-version 'Schema version MAJOR.MINOR to generate (default: the newest under --schema-dir, else the built-in 0.1)'
            cand --schema 'Generate for the schema in this self-contained .avsc file'
            cand --schema-id 'Schema id for wire packets when the schema''s namespace carries no version'
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --registry 'A Confluent-API schema registry to look schema ids up in (cached on disk)'
            cand --seed 'Seed of the random stream: the same seed and night give the same alerts'
            cand --night 'Observing night (dayObs) of the alerts, and of the default topic: YYYY-MM-DD, today or yesterday'
            cand --max-history 'Longest history (prvDiaSources) per alert; each alert draws 0..=N'
            cand --cutout-size 'Width and height of the three FITS cutouts, pixels (0: no cutouts)'
            cand -b 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --brokers 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --profile 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)'
            cand -X 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)'
            cand --timeout 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)'
            cand --no-wait 'Send visits back to back, without waiting for the cadence'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'alertctl;tail'= {
            cand --workers 'Threads that decode and encode alerts in parallel (0: one per core). Output keeps the input''s order; with a group, only what is written is committed'
            cand --from 'The topic to read, or a regex matching several (`lsst-2024-05-.*`)'
            cand --night 'A night (YYYY-MM-DD, today or yesterday): its topic, or on a long-lived topic (--from, or the profile''s per-major layout) its dayObs window, 12:00 to 12:00 UTC'
            cand --window-by 'With --night on a long-lived topic: select by record timestamp (`timestamp`, found per partition with offsets-for-times; ingest time on a LogAppendTime topic) or by the alert''s own observation time (`observation`, diaSource.midpointMjdTai, reading --window-margin on both sides of the window)'
            cand --window-margin 'With --window-by observation: how far outside the window to read'
            cand --file 'Read a visit file (OCF or wire) instead of Kafka'
            cand -o 'Where to start: beginning, end, stored, N, -N, @TIME'
            cand --offset 'Where to start: beginning, end, stored, N, -N, @TIME'
            cand -n 'Print only the last N alerts, then exit (keep following with -f)'
            cand --num 'Print only the last N alerts, then exit (keep following with -f)'
            cand -G 'Consume as this consumer group, committing offsets as alerts are printed'
            cand --group 'Consume as this consumer group, committing offsets as alerts are printed'
            cand --format 'Output format (default: table on a terminal, jsonl otherwise)'
            cand --cutouts 'How the FITS cutouts appear: left out, their size, or kept (base64)'
            cand --fields 'Table columns: comma-separated dotted paths; `a|b` takes the first present'
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --registry 'A Confluent-API schema registry to look schema ids up in (cached on disk)'
            cand --reader-version 'Resolve every alert into this schema version (Avro schema resolution), from --schema-dir'
            cand --reader-schema 'Resolve every alert into the schema in this .avsc file'
            cand -b 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --brokers 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --profile 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)'
            cand -X 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)'
            cand --timeout 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)'
            cand -f 'Keep following for new alerts (the default without -e or -n)'
            cand --follow 'Keep following for new alerts (the default without -e or -n)'
            cand -e 'Exit at the end of the partitions (as they were when read)'
            cand --exit 'Exit at the end of the partitions (as they were when read)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'alertctl;schema'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand show 'Print a schema''s id, fingerprint and Parsing Canonical Form'
            cand list 'List the schema versions under a schema directory, with their ids'
            cand check 'Check a new schema''s compatibility with earlier ones (exit 0 compatible, 1 not, 2 usage)'
            cand bump 'Say whether a new schema is a MINOR release of the newest MAJOR or needs a new MAJOR'
            cand register 'Register a schema with a registry (with --id: in IMPORT mode)'
            cand get 'Get a schema from a registry: by id, or SUBJECT[@VERSION] (latest by default)'
            cand delete 'Delete a subject, or SUBJECT@VERSION, from a registry (soft; then --permanent)'
            cand import 'Register a whole alert_packet tree the way Rubin does: ids = versions, both subject styles'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'alertctl;schema;show'= {
            cand --version 'Schema version MAJOR.MINOR (default: the newest under --schema-dir, else the built-in 0.1)'
            cand --schema 'A self-contained .avsc file instead of a version'
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --registry 'A Confluent-API schema registry to look schema ids up in (cached on disk)'
            cand --format 'Output format: table (text) or json (default: table on a terminal, json otherwise)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;schema;list'= {
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --registry 'A Confluent-API schema registry to look schema ids up in (cached on disk)'
            cand --format 'Output format: table (text) or json (default: table on a terminal, json lines otherwise)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;schema;check'= {
            cand --against 'Schemas to check against, oldest first (files or versions); repeatable'
            cand --subject 'Check against every version of this subject in --registry'
            cand --level 'Confluent compatibility level'
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --registry 'A Confluent-API schema registry to look schema ids up in (cached on disk)'
            cand --format 'Output format: table (text) or json (default: table)'
            cand --json 'The old spelling of --format json (one more release)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'alertctl;schema;bump'= {
            cand --subject 'Subject name prefix; a MAJOR''s subject is SUBJECT-MAJOR (looked up in --registry when given)'
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --registry 'A Confluent-API schema registry to look schema ids up in (cached on disk)'
            cand --format 'Output format: table (text) or json (default: table)'
            cand --json 'The old spelling of --format json (one more release)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;schema;register'= {
            cand --subject 'The subject'
            cand --id 'Register with this id (the subject must be in IMPORT mode)'
            cand --version 'Register as this version (with --id)'
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --registry 'A Confluent-API schema registry to look schema ids up in (cached on disk)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;schema;get'= {
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --registry 'A Confluent-API schema registry to look schema ids up in (cached on disk)'
            cand --schema-only 'Print only the schema'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;schema;delete'= {
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --registry 'A Confluent-API schema registry to look schema ids up in (cached on disk)'
            cand --permanent 'Delete for good (after a soft delete)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;schema;import'= {
            cand --subject 'The subject every version goes under'
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --registry 'A Confluent-API schema registry to look schema ids up in (cached on disk)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;schema;help'= {
            cand show 'Print a schema''s id, fingerprint and Parsing Canonical Form'
            cand list 'List the schema versions under a schema directory, with their ids'
            cand check 'Check a new schema''s compatibility with earlier ones (exit 0 compatible, 1 not, 2 usage)'
            cand bump 'Say whether a new schema is a MINOR release of the newest MAJOR or needs a new MAJOR'
            cand register 'Register a schema with a registry (with --id: in IMPORT mode)'
            cand get 'Get a schema from a registry: by id, or SUBJECT[@VERSION] (latest by default)'
            cand delete 'Delete a subject, or SUBJECT@VERSION, from a registry (soft; then --permanent)'
            cand import 'Register a whole alert_packet tree the way Rubin does: ids = versions, both subject styles'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'alertctl;schema;help;show'= {
        }
        &'alertctl;schema;help;list'= {
        }
        &'alertctl;schema;help;check'= {
        }
        &'alertctl;schema;help;bump'= {
        }
        &'alertctl;schema;help;register'= {
        }
        &'alertctl;schema;help;get'= {
        }
        &'alertctl;schema;help;delete'= {
        }
        &'alertctl;schema;help;import'= {
        }
        &'alertctl;schema;help;help'= {
        }
        &'alertctl;bench'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand decode 'Decode generated alerts (with cutouts) to the JSON view: alerts/s and MB/s'
            cand kafka 'Produce generated alerts to a new topic and consume them back: alerts/s and MB/s'
            cand filter 'Filter throughput as users get it: `filter run` end to end, the engine alone, and Python'
            cand engine 'The filter engine alone over your own alerts and filters: alerts/s on one core'
            cand mirror 'Mirror throughput between two brokers: generated alerts, copied byte for byte'
            cand night 'A scaled night through the real path: produce, mirror, N filters, a user''s consumer'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'alertctl;bench;decode'= {
            cand --alerts 'Number of alerts to decode in the timed pass'
            cand --schema-version 'Schema version to generate (default: the newest under --schema-dir, else the built-in 0.1)'
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --registry 'A Confluent-API schema registry to look schema ids up in (cached on disk)'
            cand --cutout-size 'Cutout width and height, pixels'
            cand --max-history 'Longest history per alert (default: 10; 30 for bench filter)'
            cand --alerts-per-visit 'Alerts in each visit (Rubin sends about 10,000); caps per visit bind less in bigger visits'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;bench;kafka'= {
            cand --alerts 'Number of alerts'
            cand --schema-version 'Schema version to generate (default: the newest under --schema-dir, else the built-in 0.1)'
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --registry 'A Confluent-API schema registry to look schema ids up in (cached on disk)'
            cand --cutout-size 'Cutout width and height, pixels'
            cand --max-history 'Longest history per alert (default: 10; 30 for bench filter)'
            cand --alerts-per-visit 'Alerts in each visit (Rubin sends about 10,000); caps per visit bind less in bigger visits'
            cand -b 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --brokers 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --profile 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)'
            cand -X 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)'
            cand --timeout 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)'
            cand --keep 'Keep the topic afterwards'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;bench;filter'= {
            cand --alerts 'Number of alerts'
            cand --filters 'Production-like filters in the many-filters rows'
            cand --schema-version 'Schema version to generate (default: the newest under --schema-dir, else the built-in 0.1)'
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --registry 'A Confluent-API schema registry to look schema ids up in (cached on disk)'
            cand --cutout-size 'Cutout width and height, pixels'
            cand --max-history 'Longest history per alert (default: 10; 30 for bench filter)'
            cand --alerts-per-visit 'Alerts in each visit (Rubin sends about 10,000); caps per visit bind less in bigger visits'
            cand --python 'The Python for the reference rows (needs fastavro); empty to skip them'
            cand -b 'Brokers for the `filter run --from` row (an in-memory local broker); without them the row is left out'
            cand --brokers 'Brokers for the `filter run --from` row (an in-memory local broker); without them the row is left out'
            cand --keep 'Keep the benchmark''s files (alerts, filters.toml, Python scripts) in this directory'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;bench;engine'= {
            cand --file 'The alerts: a wire file'
            cand --filters 'The filters'
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;bench;mirror'= {
            cand --source-brokers 'The source brokers'
            cand --alerts 'Number of alerts'
            cand --schema-version 'Schema version to generate (default: the newest under --schema-dir, else the built-in 0.1)'
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --registry 'A Confluent-API schema registry to look schema ids up in (cached on disk)'
            cand --cutout-size 'Cutout width and height, pixels'
            cand --max-history 'Longest history per alert (default: 10; 30 for bench filter)'
            cand --alerts-per-visit 'Alerts in each visit (Rubin sends about 10,000); caps per visit bind less in bigger visits'
            cand -b 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --brokers 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --profile 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)'
            cand -X 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)'
            cand --timeout 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;bench;night'= {
            cand --source-brokers 'The central brokers (the producer writes there; the mirror reads)'
            cand --scale 'Alerts per visit as a fraction of Rubin''s 10,000'
            cand --visits 'Visits'
            cand --cadence 'Time between visits'
            cand --filters 'Filters, each capped at 20 alerts per visit'
            cand --cutout-size 'Cutout width and height, pixels'
            cand --seed 'Seed of the generated alerts'
            cand --json 'Also write the result as JSON here, and a latency histogram next to it (FILE.png)'
            cand --schema-version 'Generate alerts of this official version from --schema-dir (generated before the night starts) and run the production-like filters of `bench filter`; without it, the built-in sample schema and SNR cuts'
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --registry 'A Confluent-API schema registry to look schema ids up in (cached on disk)'
            cand -b 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --brokers 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --profile 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)'
            cand -X 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)'
            cand --timeout 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;bench;help'= {
            cand decode 'Decode generated alerts (with cutouts) to the JSON view: alerts/s and MB/s'
            cand kafka 'Produce generated alerts to a new topic and consume them back: alerts/s and MB/s'
            cand filter 'Filter throughput as users get it: `filter run` end to end, the engine alone, and Python'
            cand engine 'The filter engine alone over your own alerts and filters: alerts/s on one core'
            cand mirror 'Mirror throughput between two brokers: generated alerts, copied byte for byte'
            cand night 'A scaled night through the real path: produce, mirror, N filters, a user''s consumer'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'alertctl;bench;help;decode'= {
        }
        &'alertctl;bench;help;kafka'= {
        }
        &'alertctl;bench;help;filter'= {
        }
        &'alertctl;bench;help;engine'= {
        }
        &'alertctl;bench;help;mirror'= {
        }
        &'alertctl;bench;help;night'= {
        }
        &'alertctl;bench;help;help'= {
        }
        &'alertctl;replay'= {
            cand --from 'The topic to read, or a regex matching several (`lsst-2024-05-.*`)'
            cand --night 'A night: its topic, or on a long-lived topic its dayObs window (12:00 to 12:00 UTC)'
            cand --to 'The topic to write'
            cand -o 'Where to start: beginning, N, -N, @TIME or @T1:T2'
            cand --offset 'Where to start: beginning, N, -N, @TIME or @T1:T2'
            cand --until 'Stop before the first record after this time (@TIME)'
            cand --speed 'Speed factor (1 = real time), or max'
            cand --timestamp 'Timestamps of the copies: `original` (their CreateTime) or `now`'
            cand --interval 'With --loop: time between visits'
            cand -b 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --brokers 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --profile 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)'
            cand -X 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)'
            cand --timeout 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)'
            cand --loop 'Replay forever, one visit every --interval, stamped now'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;rewind'= {
            cand -G 'The consumer group'
            cand --group 'The consumer group'
            cand --from 'The topic'
            cand -t 'The old spelling of --from (one more release)'
            cand --topic 'The old spelling of --from (one more release)'
            cand --night 'A night: its topic, or on a long-lived topic its window'
            cand -o 'Where to move: beginning, end, or @TIME (the first record at or after it)'
            cand --offset 'Where to move: beginning, end, or @TIME (the first record at or after it)'
            cand --shift 'Move by N records from the committed offset (negative: back)'
            cand --to 'The old spelling of -o @TIME'
            cand --format 'Output format (default: table on a terminal, jsonl otherwise)'
            cand -b 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --brokers 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --profile 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)'
            cand -X 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)'
            cand --timeout 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)'
            cand --to-beginning 'The old spelling of -o beginning'
            cand --to-end 'The old spelling of -o end'
            cand --dry-run 'Say what would move, and move nothing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;mirror'= {
            cand --source-brokers 'The source cluster''s bootstrap brokers'
            cand --source-x 'A librdkafka property for the source cluster (repeatable)'
            cand --topics 'Topics to mirror: a regex matched against whole names'
            cand -G 'The consumer group on the source'
            cand --group 'The consumer group on the source'
            cand --retry-for 'Wait out delivery failures (the local broker away) this long, backing off, before stopping; nothing past them is committed'
            cand --report-every 'How often to report progress and lag on stderr'
            cand --lag-warn 'Say on stderr when the lag behind the source exceeds this many records (a visit''s worth), and when it has caught up; 0: never'
            cand -b 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --brokers 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --profile 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)'
            cand -X 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)'
            cand --timeout 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)'
            cand -e 'Exit once the partitions are copied up to where they ended when first seen'
            cand --exit 'Exit once the partitions are copied up to where they ended when first seen'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;sandbox'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand up 'Start a broker and a schema registry, and fill tonight''s topic with the standard test night'
            cand status 'Say what the sandbox runs and whether it answers'
            cand env 'Print the shell exports that point alertctl at the sandbox: eval "$(alertctl sandbox env)"'
            cand down 'Stop what `sandbox up` started (by pid); nothing is left listening'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'alertctl;sandbox;up'= {
            cand --dir 'The sandbox directory (default: ~/.local/share/alertctl/sandbox)'
            cand --nights 'Nights of alerts: tonight and the nights before it'
            cand --visits 'Visits per night'
            cand --alerts-per-visit 'Alerts per visit'
            cand --layout 'Topic layout: a topic per night (the design), or Rubin''s production layout, one long-lived 45-partition topic per schema MAJOR (lsst-alerts-v{major}) holding every night. Commands that use the sandbox''s broker follow its layout'
            cand --schema-dir 'Rubin schema trees to register too (alert_packet layout), as Rubin does'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;sandbox;status'= {
            cand --dir 'The sandbox directory (default: ~/.local/share/alertctl/sandbox)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;sandbox;env'= {
            cand --dir 'The sandbox directory (default: ~/.local/share/alertctl/sandbox)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;sandbox;down'= {
            cand --dir 'The sandbox directory (default: ~/.local/share/alertctl/sandbox)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;sandbox;help'= {
            cand up 'Start a broker and a schema registry, and fill tonight''s topic with the standard test night'
            cand status 'Say what the sandbox runs and whether it answers'
            cand env 'Print the shell exports that point alertctl at the sandbox: eval "$(alertctl sandbox env)"'
            cand down 'Stop what `sandbox up` started (by pid); nothing is left listening'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'alertctl;sandbox;help;up'= {
        }
        &'alertctl;sandbox;help;status'= {
        }
        &'alertctl;sandbox;help;env'= {
        }
        &'alertctl;sandbox;help;down'= {
        }
        &'alertctl;sandbox;help;help'= {
        }
        &'alertctl;show'= {
            cand --file 'A visit file instead (with --index)'
            cand --index 'The alert''s 0-based record number in --file'
            cand --png 'Also draw the alert''s cutouts and light curve to this PNG file'
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --registry 'A Confluent-API schema registry to look schema ids up in (cached on disk)'
            cand -b 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --brokers 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --profile 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)'
            cand -X 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)'
            cand --timeout 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;lag'= {
            cand -G 'Only this group (the profile''s group_prefix applies)'
            cand --group 'Only this group (the profile''s group_prefix applies)'
            cand --format 'Output format (default: table on a terminal, jsonl otherwise)'
            cand -b 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --brokers 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --profile 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)'
            cand -X 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)'
            cand --timeout 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;stats'= {
            cand --from 'The topic to read, or a regex matching several (`lsst-2024-05-.*`)'
            cand --night 'A night: its topic, or on a long-lived topic its dayObs window'
            cand --window-by 'With --night on a long-lived topic: select by record timestamp (`timestamp`, found per partition with offsets-for-times; ingest time on a LogAppendTime topic) or by the alert''s own observation time (`observation`, diaSource.midpointMjdTai, reading --window-margin on both sides of the window)'
            cand --window-margin 'With --window-by observation: how far outside the window to read'
            cand --file 'A visit file instead of Kafka'
            cand --format 'Output format (default: text on a terminal, one JSON object otherwise)'
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --registry 'A Confluent-API schema registry to look schema ids up in (cached on disk)'
            cand -b 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --brokers 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --profile 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)'
            cand -X 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)'
            cand --timeout 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;filter'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand run 'Run filters over a topic (or a visit file) and write what passes'
            cand check 'Check filters against a schema version: paths it lacks, literals of another type'
            cand eval 'Evaluate an expression over JSON values (as jq -c), with the filters'' functions'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'alertctl;filter;run'= {
            cand --expr 'The jq expression (with --name)'
            cand --name 'The filter''s name; its output topic unless --to'
            cand --to 'Output topic (default: the name)'
            cand --max-per-visit 'At most this many alerts per visit (0: no cap)'
            cand --visit-key 'Where the visit id is (a jq path)'
            cand --rank-by 'Keep the best N of each visit by this expression (higher is better) instead of the first N'
            cand --drop 'Null these optional fields in passing alerts (e.g. cutoutScience,cutoutTemplate,prvDiaSources)'
            cand --filters 'A filters file of [[filter]] tables'
            cand --only 'With --filters: run only these filters (repeatable)'
            cand --index 'With --filters: run only the Nth filter (1-based)'
            cand --from 'Input topic, or a regex of topics (or --file)'
            cand --night 'A night: its topic, or on a long-lived topic (--from, or the profile''s per-major layout) its dayObs window, 12:00 to 12:00 UTC, read to its end'
            cand -o 'Where to start without committed offsets: beginning, end, N, -N, @TIME, @T1:T2'
            cand --offset 'Where to start without committed offsets: beginning, end, N, -N, @TIME, @T1:T2'
            cand -G 'Consumer group: instances of one group share the partitions. A member joining or leaving moves only the partitions that change hands (cooperative-sticky), and what was sent from them is committed before they are given up. A member stopped while its group rebalances waits that out (up to 10 s) to commit'
            cand --group 'Consumer group: instances of one group share the partitions. A member joining or leaving moves only the partitions that change hands (cooperative-sticky), and what was sent from them is committed before they are given up. A member stopped while its group rebalances waits that out (up to 10 s) to commit'
            cand --dead-letter 'Copy undecodable records here (with a header saying why)'
            cand --visit-grace 'With --rank-by: a visit is complete this long after later visits reached every partition'
            cand --visit-timeout 'With --rank-by: a visit is complete at the latest this long after its first alert'
            cand --file 'Read a visit file (OCF or wire) instead of Kafka'
            cand --input 'The old spelling of --file (one more release)'
            cand --out 'With --file: write the passing alerts of the (one) filter to this wire file'
            cand --out-dir 'With --file: write each filter''s passing alerts to DIR/NAME.wire'
            cand --cutouts 'How cutouts appear in JSON output'
            cand --max-outputs 'Per-alert output budget of an expression'
            cand --max-time 'Per-alert time budget of an expression'
            cand --strikes 'Times over budget before a filter is disabled'
            cand --retry-for 'With Kafka: wait out failures that may pass (broker away, registry not answering) this long, backing off, before stopping; nothing past them is committed'
            cand --lag-warn 'With Kafka: say on stderr when the input lag exceeds this many records (a visit''s worth), and when it has caught up; 0: never'
            cand --hard-time 'End the process (before any commit) if one evaluation runs longer than this'
            cand --max-memory 'End the process (before any commit) if one evaluation holds more than this many bytes'
            cand --watchlist 'A watchlist for `watchlist("NAME")`: a CSV (ra, dec, name[, radius arcsec], comma or `|`, header optional) or Parquet file, reloaded when it changes; repeatable'
            cand --moc 'A MOC for `in_moc("NAME")`: IVOA FITS (mocpy, Aladin), ASCII or JSON; repeatable'
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --registry 'A Confluent-API schema registry to look schema ids up in (cached on disk)'
            cand -b 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --brokers 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --profile 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)'
            cand -X 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)'
            cand --timeout 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)'
            cand -e 'Exit at the end of the input partitions (as they were when read)'
            cand --exit 'Exit at the end of the input partitions (as they were when read)'
            cand --allow-unbounded 'Allow loops and recursion in --expr (refused by default: they may never end)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'alertctl;filter;check'= {
            cand --expr 'The jq expression to check'
            cand --name 'The name shown for --expr'
            cand --filters 'A filters file of [[filter]] tables (expr, rank_by and visit_key are checked)'
            cand --schema-version 'The schema version MAJOR.MINOR, from --schema-dir (default: the newest there, else the built-in sample)'
            cand --schema 'A self-contained .avsc file instead'
            cand --format 'Output format (default: table on a terminal, jsonl otherwise)'
            cand --watchlist 'A watchlist for `watchlist("NAME")`: a CSV (ra, dec, name[, radius arcsec], comma or `|`, header optional) or Parquet file, reloaded when it changes; repeatable'
            cand --moc 'A MOC for `in_moc("NAME")`: IVOA FITS (mocpy, Aladin), ASCII or JSON; repeatable'
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --registry 'A Confluent-API schema registry to look schema ids up in (cached on disk)'
            cand --allow-unbounded 'Allow loops and recursion in --expr (as filter run)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;filter;eval'= {
            cand --expr 'The jq expression'
            cand --file 'Read JSON values from this file instead of stdin'
            cand --watchlist 'A watchlist for `watchlist("NAME")`: a CSV (ra, dec, name[, radius arcsec], comma or `|`, header optional) or Parquet file, reloaded when it changes; repeatable'
            cand --moc 'A MOC for `in_moc("NAME")`: IVOA FITS (mocpy, Aladin), ASCII or JSON; repeatable'
            cand --allow-unbounded 'Allow loops and recursion (refused by default: they may never end)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;filter;help'= {
            cand run 'Run filters over a topic (or a visit file) and write what passes'
            cand check 'Check filters against a schema version: paths it lacks, literals of another type'
            cand eval 'Evaluate an expression over JSON values (as jq -c), with the filters'' functions'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'alertctl;filter;help;run'= {
        }
        &'alertctl;filter;help;check'= {
        }
        &'alertctl;filter;help;eval'= {
        }
        &'alertctl;filter;help;help'= {
        }
        &'alertctl;moc'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand from-skymap 'Turn a HEALPix probability sky map into the MOC of its credible region'
            cand from-cone 'The MOC of a disc on the sky (a field, a galaxy, a cluster)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'alertctl;moc;from-skymap'= {
            cand --credible 'The probability the region holds (0 < P <= 1)'
            cand --out 'Where to write the MOC (FITS)'
            cand --format 'Output format of the summary (default: table on a terminal, jsonl otherwise)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;moc;from-cone'= {
            cand --ra 'Centre, degrees'
            cand --dec 'Centre, degrees'
            cand --radius 'Radius, degrees'
            cand --depth 'HEALPix depth of the MOC''s cells'
            cand --out 'Where to write the MOC (FITS)'
            cand --format 'Output format of the summary (default: table on a terminal, jsonl otherwise)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;moc;help'= {
            cand from-skymap 'Turn a HEALPix probability sky map into the MOC of its credible region'
            cand from-cone 'The MOC of a disc on the sky (a field, a galaxy, a cluster)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'alertctl;moc;help;from-skymap'= {
        }
        &'alertctl;moc;help;from-cone'= {
        }
        &'alertctl;moc;help;help'= {
        }
        &'alertctl;registry'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand serve 'Serve the Confluent Schema Registry REST API from a local store'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'alertctl;registry;serve'= {
            cand --listen 'Address to listen on'
            cand --data 'The store''s directory (created if missing)'
            cand --basic-auth 'Require HTTP basic auth for every request'
            cand --max-body 'Largest request body accepted'
            cand --compatibility 'The default compatibility level of subjects without their own'
            cand --threads 'Worker threads'
            cand --read-only 'Refuse every change (registrations, deletes, config and mode changes)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'alertctl;registry;help'= {
            cand serve 'Serve the Confluent Schema Registry REST API from a local store'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'alertctl;registry;help;serve'= {
        }
        &'alertctl;registry;help;help'= {
        }
        &'alertctl;topic'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand list 'List topics: partitions, messages (by watermarks), retention, night'
            cand describe 'Show one topic''s partitions with their watermarks'
            cand create 'Create a topic (a night''s topic with --night)'
            cand delete 'Delete a topic'
            cand expire 'Delete night topics (lsst-YYYY-MM-DD) older than a number of days, by name'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'alertctl;topic;list'= {
            cand -b 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --brokers 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --profile 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)'
            cand -X 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)'
            cand --timeout 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)'
            cand --format 'Output format (default: table on a terminal, jsonl otherwise)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;topic;describe'= {
            cand --night 'A night''s topic instead: YYYY-MM-DD, today or yesterday'
            cand -b 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --brokers 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --profile 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)'
            cand -X 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)'
            cand --timeout 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)'
            cand --format 'Output format (default: table on a terminal, jsonl otherwise)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;topic;create'= {
            cand --night 'A night''s topic instead: YYYY-MM-DD, today or yesterday'
            cand --partitions 'Partitions'
            cand --replication 'Replication factor (default: 3 on a cluster of three brokers or more, else one copy per broker)'
            cand --retention 'How long records are kept: a duration (7d) or `forever`'
            cand --timestamp-type 'Which time records carry: the producer''s (create) or the broker''s at append (log-append, as some of Rubin''s deployments)'
            cand -b 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --brokers 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --profile 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)'
            cand -X 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)'
            cand --timeout 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;topic;delete'= {
            cand --night 'A night''s topic instead: YYYY-MM-DD, today or yesterday'
            cand -b 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --brokers 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --profile 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)'
            cand -X 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)'
            cand --timeout 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;topic;expire'= {
            cand --older-than 'Delete night topics whose night is more than this long before tonight (7d)'
            cand -b 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --brokers 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --profile 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)'
            cand -X 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)'
            cand --timeout 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)'
            cand --dry-run 'Say what would be deleted, delete nothing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;topic;help'= {
            cand list 'List topics: partitions, messages (by watermarks), retention, night'
            cand describe 'Show one topic''s partitions with their watermarks'
            cand create 'Create a topic (a night''s topic with --night)'
            cand delete 'Delete a topic'
            cand expire 'Delete night topics (lsst-YYYY-MM-DD) older than a number of days, by name'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'alertctl;topic;help;list'= {
        }
        &'alertctl;topic;help;describe'= {
        }
        &'alertctl;topic;help;create'= {
        }
        &'alertctl;topic;help;delete'= {
        }
        &'alertctl;topic;help;expire'= {
        }
        &'alertctl;topic;help;help'= {
        }
        &'alertctl;archive'= {
            cand --from 'The topic, or a regex of topics'
            cand --night 'A night: its topic, or its dayObs window on a long-lived topic (then exit at its end)'
            cand --archive 'The archive: a directory, or s3://bucket/prefix'
            cand --to 'The old spelling of --archive (--to is a topic everywhere now)'
            cand -G 'Consume as this group (commits after the objects are stored)'
            cand --group 'Consume as this group (commits after the objects are stored)'
            cand --workers 'Threads that decode and encode alerts in parallel (0: one per core). Output keeps the input''s order; with a group, only what is written is committed'
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --registry 'A Confluent-API schema registry to look schema ids up in (cached on disk)'
            cand -b 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --brokers 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --profile 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)'
            cand -X 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)'
            cand --timeout 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)'
            cand -e 'Exit at the end of the partitions (as they were when read)'
            cand --exit 'Exit at the end of the partitions (as they were when read)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand verify 'Check that an archive has every alert of a topic (window) and every schema they use'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'alertctl;archive;verify'= {
            cand --archive 'The archive: a directory, or s3://bucket/prefix'
            cand --against 'The topic (or regex) whose alerts it must hold'
            cand --night 'A night: its topic, or its window on --against'
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --registry 'A Confluent-API schema registry to look schema ids up in (cached on disk)'
            cand -b 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --brokers 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --profile 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)'
            cand -X 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)'
            cand --timeout 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;archive;help'= {
            cand verify 'Check that an archive has every alert of a topic (window) and every schema they use'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'alertctl;archive;help;verify'= {
        }
        &'alertctl;archive;help;help'= {
        }
        &'alertctl;get'= {
            cand --archive 'The archive: a directory, s3://bucket/prefix, or the archive service''s URL'
            cand --from 'Read this topic (or regex) instead'
            cand --night 'A night: its topic, or its window on --from'
            cand --cutouts 'How the cutouts appear in the JSON view'
            cand --fits-dir 'Write each alert''s cutouts as FITS files here (ID-science.fits, ...)'
            cand --png 'Draw the alert''s cutouts and light curve to this PNG (one id)'
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --registry 'A Confluent-API schema registry to look schema ids up in (cached on disk)'
            cand -b 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --brokers 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --profile 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)'
            cand -X 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)'
            cand --timeout 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'alertctl;export'= {
            cand --from 'The topic (or regex) to read'
            cand --night 'A night: its topic, or its dayObs window on --from'
            cand -o 'Where to start (read to the end): beginning, N, -N, @TIME, @T1:T2'
            cand --offset 'Where to start (read to the end): beginning, N, -N, @TIME, @T1:T2'
            cand --file 'A visit file instead of Kafka'
            cand --out 'The export directory (must not hold an export)'
            cand --file-format 'File format'
            cand --cutouts 'Keep the cutouts (binary columns) or leave them out'
            cand --workers 'Threads that decode and encode alerts in parallel (0: one per core). Output keeps the input''s order; with a group, only what is written is committed'
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --registry 'A Confluent-API schema registry to look schema ids up in (cached on disk)'
            cand -b 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --brokers 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --profile 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)'
            cand -X 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)'
            cand --timeout 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)'
            cand --by-band 'Partition by band under each night'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand verify 'Check an export''s files against its manifest, and its ranges against the topic'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'alertctl;export;verify'= {
            cand --against 'Also check the manifest''s offset ranges against this topic (the same window)'
            cand -b 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --brokers 'Bootstrap brokers, comma-separated HOST:PORT'
            cand --profile 'Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG)'
            cand -X 'A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable)'
            cand --timeout 'Give up on unresponsive brokers after this long (500ms, 10s, 1m)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;export;help'= {
            cand verify 'Check an export''s files against its manifest, and its ranges against the topic'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'alertctl;export;help;verify'= {
        }
        &'alertctl;export;help;help'= {
        }
        &'alertctl;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;man'= {
            cand --out-dir 'Write one page per command into this directory instead'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;help'= {
            cand produce 'Generate sample visits of alerts (or send a visit file) to a Kafka topic or a file'
            cand tail 'Decode alerts from Kafka topics or visit files to JSON lines or a table'
            cand schema 'Alert schemas: show, list, check compatibility, bump, and registry register/get/list/delete/import'
            cand bench 'Measure speed (decode, Kafka, filters, mirror, a night) and print a table'
            cand replay 'Re-publish a night to another topic, paced by its timestamps'
            cand rewind 'Move a consumer group''s committed offsets (re-run a filter over a night)'
            cand mirror 'Copy topics from another cluster, byte for byte (a mirror node)'
            cand sandbox 'A local broker and registry with a standard test night: up, status, down'
            cand show 'One alert as a table, and with --png its cutouts and light curve'
            cand lag 'Consumer groups'' committed offsets, end offsets and lag'
            cand stats 'Alerts per visit and band, bytes and time range of a topic or visit file'
            cand filter 'Run jq filters over the alert stream (or a visit file)'
            cand moc 'Sky regions: the MOC of a gravitational-wave sky map''s credible region'
            cand registry 'Serve a Confluent-compatible schema registry'
            cand topic 'Create, list, describe, delete and expire topics'
            cand archive 'Copy alerts into an archive in Rubin''s layout (a directory or S3), or verify one'
            cand get 'Fetch alerts by id from an archive or a topic'
            cand export 'Export a night (a window, a file) to Parquet with a manifest, or verify an export'
            cand completions 'Print a shell completion script'
            cand man 'Print or write the man pages'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'alertctl;help;produce'= {
        }
        &'alertctl;help;tail'= {
        }
        &'alertctl;help;schema'= {
            cand show 'Print a schema''s id, fingerprint and Parsing Canonical Form'
            cand list 'List the schema versions under a schema directory, with their ids'
            cand check 'Check a new schema''s compatibility with earlier ones (exit 0 compatible, 1 not, 2 usage)'
            cand bump 'Say whether a new schema is a MINOR release of the newest MAJOR or needs a new MAJOR'
            cand register 'Register a schema with a registry (with --id: in IMPORT mode)'
            cand get 'Get a schema from a registry: by id, or SUBJECT[@VERSION] (latest by default)'
            cand delete 'Delete a subject, or SUBJECT@VERSION, from a registry (soft; then --permanent)'
            cand import 'Register a whole alert_packet tree the way Rubin does: ids = versions, both subject styles'
        }
        &'alertctl;help;schema;show'= {
        }
        &'alertctl;help;schema;list'= {
        }
        &'alertctl;help;schema;check'= {
        }
        &'alertctl;help;schema;bump'= {
        }
        &'alertctl;help;schema;register'= {
        }
        &'alertctl;help;schema;get'= {
        }
        &'alertctl;help;schema;delete'= {
        }
        &'alertctl;help;schema;import'= {
        }
        &'alertctl;help;bench'= {
            cand decode 'Decode generated alerts (with cutouts) to the JSON view: alerts/s and MB/s'
            cand kafka 'Produce generated alerts to a new topic and consume them back: alerts/s and MB/s'
            cand filter 'Filter throughput as users get it: `filter run` end to end, the engine alone, and Python'
            cand engine 'The filter engine alone over your own alerts and filters: alerts/s on one core'
            cand mirror 'Mirror throughput between two brokers: generated alerts, copied byte for byte'
            cand night 'A scaled night through the real path: produce, mirror, N filters, a user''s consumer'
        }
        &'alertctl;help;bench;decode'= {
        }
        &'alertctl;help;bench;kafka'= {
        }
        &'alertctl;help;bench;filter'= {
        }
        &'alertctl;help;bench;engine'= {
        }
        &'alertctl;help;bench;mirror'= {
        }
        &'alertctl;help;bench;night'= {
        }
        &'alertctl;help;replay'= {
        }
        &'alertctl;help;rewind'= {
        }
        &'alertctl;help;mirror'= {
        }
        &'alertctl;help;sandbox'= {
            cand up 'Start a broker and a schema registry, and fill tonight''s topic with the standard test night'
            cand status 'Say what the sandbox runs and whether it answers'
            cand env 'Print the shell exports that point alertctl at the sandbox: eval "$(alertctl sandbox env)"'
            cand down 'Stop what `sandbox up` started (by pid); nothing is left listening'
        }
        &'alertctl;help;sandbox;up'= {
        }
        &'alertctl;help;sandbox;status'= {
        }
        &'alertctl;help;sandbox;env'= {
        }
        &'alertctl;help;sandbox;down'= {
        }
        &'alertctl;help;show'= {
        }
        &'alertctl;help;lag'= {
        }
        &'alertctl;help;stats'= {
        }
        &'alertctl;help;filter'= {
            cand run 'Run filters over a topic (or a visit file) and write what passes'
            cand check 'Check filters against a schema version: paths it lacks, literals of another type'
            cand eval 'Evaluate an expression over JSON values (as jq -c), with the filters'' functions'
        }
        &'alertctl;help;filter;run'= {
        }
        &'alertctl;help;filter;check'= {
        }
        &'alertctl;help;filter;eval'= {
        }
        &'alertctl;help;moc'= {
            cand from-skymap 'Turn a HEALPix probability sky map into the MOC of its credible region'
            cand from-cone 'The MOC of a disc on the sky (a field, a galaxy, a cluster)'
        }
        &'alertctl;help;moc;from-skymap'= {
        }
        &'alertctl;help;moc;from-cone'= {
        }
        &'alertctl;help;registry'= {
            cand serve 'Serve the Confluent Schema Registry REST API from a local store'
        }
        &'alertctl;help;registry;serve'= {
        }
        &'alertctl;help;topic'= {
            cand list 'List topics: partitions, messages (by watermarks), retention, night'
            cand describe 'Show one topic''s partitions with their watermarks'
            cand create 'Create a topic (a night''s topic with --night)'
            cand delete 'Delete a topic'
            cand expire 'Delete night topics (lsst-YYYY-MM-DD) older than a number of days, by name'
        }
        &'alertctl;help;topic;list'= {
        }
        &'alertctl;help;topic;describe'= {
        }
        &'alertctl;help;topic;create'= {
        }
        &'alertctl;help;topic;delete'= {
        }
        &'alertctl;help;topic;expire'= {
        }
        &'alertctl;help;archive'= {
            cand verify 'Check that an archive has every alert of a topic (window) and every schema they use'
        }
        &'alertctl;help;archive;verify'= {
        }
        &'alertctl;help;get'= {
        }
        &'alertctl;help;export'= {
            cand verify 'Check an export''s files against its manifest, and its ranges against the topic'
        }
        &'alertctl;help;export;verify'= {
        }
        &'alertctl;help;completions'= {
        }
        &'alertctl;help;man'= {
        }
        &'alertctl;help;help'= {
        }
    ]
    $completions[$command]
}
