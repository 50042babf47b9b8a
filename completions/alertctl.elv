
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
            cand produce 'Generate sample visits of alerts and write them to a visit file'
            cand tail 'Decode alerts from a visit file (or a wire-format packet) to JSON or a table'
            cand schema 'Inspect alert schemas: ids, fingerprints, canonical forms'
            cand bench 'Measure decoding speed on generated alerts and print a table'
            cand completions 'Print a shell completion script'
            cand man 'Print or write the man pages'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'alertctl;produce'= {
            cand --visits 'Number of visits to generate'
            cand --alerts-per-visit 'Alerts in each visit (Rubin sends about 10,000)'
            cand -o 'The file to write'
            cand --out 'The file to write'
            cand --format 'File format: an Avro container file, or length-framed wire-format packets'
            cand --schema-version 'Schema version MAJOR.MINOR to generate (default: the newest under --schema-dir, else the built-in 0.1)'
            cand --schema 'Generate for the schema in this self-contained .avsc file'
            cand --schema-id 'Schema id for wire packets when --schema''s namespace carries no version'
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --seed 'Seed of the random stream: the same seed and night give the same alerts'
            cand --night 'Observing night (dayObs): YYYY-MM-DD, today or yesterday'
            cand --max-history 'Longest history (prvDiaSources) per alert; each alert draws 0..=N'
            cand --cutout-size 'Width and height of the three FITS cutouts, pixels (0: no cutouts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'alertctl;tail'= {
            cand --file 'The visit file or packet file to read'
            cand -n 'Print only the last N alerts'
            cand --num 'Print only the last N alerts'
            cand --format 'Output format (default: table on a terminal, jsonl otherwise)'
            cand --cutouts 'How the FITS cutouts appear: left out, their size, or base64'
            cand --fields 'Table columns: comma-separated dotted paths; `a|b` takes the first present'
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --reader-version 'Resolve every alert into this schema version (Avro schema resolution), from --schema-dir'
            cand --reader-schema 'Resolve every alert into the schema in this .avsc file'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'alertctl;schema'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand show 'Print a schema''s id, fingerprint and Parsing Canonical Form'
            cand list 'List the schema versions under a schema directory, with their ids'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'alertctl;schema;show'= {
            cand --version 'Schema version MAJOR.MINOR (default: the newest under --schema-dir, else the built-in 0.1)'
            cand --schema 'A self-contained .avsc file instead of a version'
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --format 'Output format (default: text on a terminal, json otherwise)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'alertctl;schema;list'= {
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --format 'Output format (default: text on a terminal, json lines otherwise)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'alertctl;schema;help'= {
            cand show 'Print a schema''s id, fingerprint and Parsing Canonical Form'
            cand list 'List the schema versions under a schema directory, with their ids'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'alertctl;schema;help;show'= {
        }
        &'alertctl;schema;help;list'= {
        }
        &'alertctl;schema;help;help'= {
        }
        &'alertctl;bench'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand decode 'Decode generated alerts (with cutouts) to the JSON view: alerts/s and MB/s'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'alertctl;bench;decode'= {
            cand --alerts 'Number of alerts to decode in the timed pass'
            cand --schema-version 'Schema version to generate (default: the newest under --schema-dir, else the built-in 0.1)'
            cand --schema-dir 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable'
            cand --cutout-size 'Cutout width and height, pixels'
            cand --max-history 'Longest history per alert'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;bench;help'= {
            cand decode 'Decode generated alerts (with cutouts) to the JSON view: alerts/s and MB/s'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'alertctl;bench;help;decode'= {
        }
        &'alertctl;bench;help;help'= {
        }
        &'alertctl;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;man'= {
            cand --out-dir 'Write alertctl.1 and alertctl-COMMAND.1 for every subcommand into this directory'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'alertctl;help'= {
            cand produce 'Generate sample visits of alerts and write them to a visit file'
            cand tail 'Decode alerts from a visit file (or a wire-format packet) to JSON or a table'
            cand schema 'Inspect alert schemas: ids, fingerprints, canonical forms'
            cand bench 'Measure decoding speed on generated alerts and print a table'
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
        }
        &'alertctl;help;schema;show'= {
        }
        &'alertctl;help;schema;list'= {
        }
        &'alertctl;help;bench'= {
            cand decode 'Decode generated alerts (with cutouts) to the JSON view: alerts/s and MB/s'
        }
        &'alertctl;help;bench;decode'= {
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
