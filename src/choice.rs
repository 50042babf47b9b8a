//! Choices a user makes by name on a command line (an output format, a cutout policy, a
//! compatibility level): each of the library's enums that has them lists its names,
//! with the help text of each, once. The binary builds its argument parsers from these
//! lists, so a name means the same thing in every command and the library needs no
//! command-line parser.

/// An enum chosen by name.
pub trait Choice: Sized + Copy + PartialEq + 'static {
    /// Every choice: its name, one line of help, and the value; hidden aliases
    /// ([`Choice::ALIASES`]) are not listed here.
    const CHOICES: &'static [(&'static str, &'static str, Self)];
    /// Other names accepted for a choice (`text` for `table`).
    const ALIASES: &'static [(&'static str, Self)] = &[];

    /// The choice of a name (case-insensitive), aliases included.
    fn from_name(name: &str) -> Option<Self> {
        let name = name.trim();
        Self::CHOICES
            .iter()
            .map(|(n, _, v)| (*n, *v))
            .chain(Self::ALIASES.iter().copied())
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// The name of a choice.
    fn name(self) -> &'static str {
        Self::CHOICES
            .iter()
            .find(|(_, _, v)| *v == self)
            .map(|(n, _, _)| *n)
            .expect("every value is listed")
    }

    /// The names, for messages: `table, jsonl or json`.
    fn names() -> String {
        let names: Vec<&str> = Self::CHOICES.iter().map(|(n, _, _)| *n).collect();
        match names.split_last() {
            Some((last, [])) => last.to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}
