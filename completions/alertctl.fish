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
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "produce" -d 'Generate sample visits of alerts and write them to a visit file'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "tail" -d 'Decode alerts from a visit file (or a wire-format packet) to JSON or a table'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "schema" -d 'Inspect alert schemas: ids, fingerprints, canonical forms'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "bench" -d 'Measure decoding speed on generated alerts and print a table'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "man" -d 'Print or write the man pages'
complete -c alertctl -n "__fish_alertctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l visits -d 'Number of visits to generate' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l alerts-per-visit -d 'Alerts in each visit (Rubin sends about 10,000)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -s o -l out -d 'The file to write' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l format -d 'File format: an Avro container file, or length-framed wire-format packets' -r -f -a "ocf\t'Avro Object Container File'
wire\t'Length-framed Confluent wire-format packets'"
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l schema-version -d 'Schema version MAJOR.MINOR to generate (default: the newest under --schema-dir, else the built-in 0.1)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l schema -d 'Generate for the schema in this self-contained .avsc file' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l schema-id -d 'Schema id for wire packets when --schema\'s namespace carries no version' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l seed -d 'Seed of the random stream: the same seed and night give the same alerts' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l night -d 'Observing night (dayObs): YYYY-MM-DD, today or yesterday' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l max-history -d 'Longest history (prvDiaSources) per alert; each alert draws 0..=N' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -l cutout-size -d 'Width and height of the three FITS cutouts, pixels (0: no cutouts)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand produce" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -l file -d 'The visit file or packet file to read' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -s n -l num -d 'Print only the last N alerts' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -l format -d 'Output format (default: table on a terminal, jsonl otherwise)' -r -f -a "jsonl\t'One JSON object per line (the default when stdout is not a terminal)'
json\t'One pretty-printed JSON array'
table\t'A table of --fields (the default on a terminal)'"
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -l cutouts -d 'How the FITS cutouts appear: left out, their size, or base64' -r -f -a "omit\t'Leave byte fields out'
size\t'Show `{"bytes": N}`, the size only'
base64\t'Show the bytes as a base64 string'"
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -l fields -d 'Table columns: comma-separated dotted paths; `a|b` takes the first present' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -l reader-version -d 'Resolve every alert into this schema version (Avro schema resolution), from --schema-dir' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -l reader-schema -d 'Resolve every alert into the schema in this .avsc file' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand tail" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and not __fish_seen_subcommand_from show list help" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and not __fish_seen_subcommand_from show list help" -f -a "show" -d 'Print a schema\'s id, fingerprint and Parsing Canonical Form'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and not __fish_seen_subcommand_from show list help" -f -a "list" -d 'List the schema versions under a schema directory, with their ids'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and not __fish_seen_subcommand_from show list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from show" -l version -d 'Schema version MAJOR.MINOR (default: the newest under --schema-dir, else the built-in 0.1)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from show" -l schema -d 'A self-contained .avsc file instead of a version' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from show" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from show" -l format -d 'Output format (default: text on a terminal, json otherwise)' -r -f -a "text\t'Aligned `key value` lines (the default on a terminal)'
json\t'JSON (the default when stdout is not a terminal)'"
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from list" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from list" -l format -d 'Output format (default: text on a terminal, json lines otherwise)' -r -f -a "text\t'Aligned `key value` lines (the default on a terminal)'
json\t'JSON (the default when stdout is not a terminal)'"
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print a schema\'s id, fingerprint and Parsing Canonical Form'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the schema versions under a schema directory, with their ids'
complete -c alertctl -n "__fish_alertctl_using_subcommand schema; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and not __fish_seen_subcommand_from decode help" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and not __fish_seen_subcommand_from decode help" -f -a "decode" -d 'Decode generated alerts (with cutouts) to the JSON view: alerts/s and MB/s'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and not __fish_seen_subcommand_from decode help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from decode" -l alerts -d 'Number of alerts to decode in the timed pass' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from decode" -l schema-version -d 'Schema version to generate (default: the newest under --schema-dir, else the built-in 0.1)' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from decode" -l schema-dir -d 'A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from decode" -l cutout-size -d 'Cutout width and height, pixels' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from decode" -l max-history -d 'Longest history per alert' -r
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from decode" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "decode" -d 'Decode generated alerts (with cutouts) to the JSON view: alerts/s and MB/s'
complete -c alertctl -n "__fish_alertctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c alertctl -n "__fish_alertctl_using_subcommand completions" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand man" -l out-dir -d 'Write alertctl.1 and alertctl-COMMAND.1 for every subcommand into this directory' -r -F
complete -c alertctl -n "__fish_alertctl_using_subcommand man" -s h -l help -d 'Print help'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench completions man help" -f -a "produce" -d 'Generate sample visits of alerts and write them to a visit file'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench completions man help" -f -a "tail" -d 'Decode alerts from a visit file (or a wire-format packet) to JSON or a table'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench completions man help" -f -a "schema" -d 'Inspect alert schemas: ids, fingerprints, canonical forms'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench completions man help" -f -a "bench" -d 'Measure decoding speed on generated alerts and print a table'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench completions man help" -f -a "man" -d 'Print or write the man pages'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and not __fish_seen_subcommand_from produce tail schema bench completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from schema" -f -a "show" -d 'Print a schema\'s id, fingerprint and Parsing Canonical Form'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from schema" -f -a "list" -d 'List the schema versions under a schema directory, with their ids'
complete -c alertctl -n "__fish_alertctl_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "decode" -d 'Decode generated alerts (with cutouts) to the JSON view: alerts/s and MB/s'
