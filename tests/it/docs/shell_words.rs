//! Enough of the POSIX shell's word splitting to find the `amlab` commands a code block shows:
//! `\` line continuations, quotes, comments, environment assignments, pipes and lists,
//! redirections, and command or process substitutions (whose own commands are found too).

/// A command found in a block: its words (the program first) and the block line it starts on.
#[derive(Debug, PartialEq)]
pub struct ShellCommand {
    pub words: Vec<String>,
    pub line: usize,
}

/// What a substitution (`$(...)`, `<(...)`, a backtick pair) stands for as a word.
const SUBSTITUTED: &str = "SUBSTITUTED";

/// The simple commands of a block's text (after `\`-newline joins), each with its environment
/// assignments and redirections removed. `console` blocks (any line starting with `$ `) count
/// only their prompted lines: the rest is output.
pub fn commands(text: &str) -> Vec<ShellCommand> {
    let console = text.lines().any(|l| l.starts_with("$ "));
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((index, line)) = lines.next() {
        let line = if console {
            match line.strip_prefix("$ ") {
                Some(rest) => rest,
                None => continue,
            }
        } else {
            line
        };
        let mut logical = line.to_owned();
        while logical.ends_with('\\') {
            logical.pop();
            match lines.next() {
                Some((_, next)) => logical.push_str(next),
                None => break,
            }
        }
        split_line(&logical, index + 1, &mut out);
    }
    out
}

/// Splits one logical line into simple commands (also those inside substitutions).
fn split_line(line: &str, line_no: usize, out: &mut Vec<ShellCommand>) {
    let mut inner = Vec::new();
    for words in segments(line, &mut inner) {
        let words: Vec<String> = words.into_iter().skip_while(|w| is_assignment(w)).collect();
        if !words.is_empty() {
            out.push(ShellCommand {
                words,
                line: line_no,
            });
        }
    }
    for text in inner {
        split_line(&text, line_no, out);
    }
}

/// `NAME=value` before a command.
fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        let mut chars = name.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// The tokenizer's state: the segments so far, the words of the current one, the current word.
#[derive(Default)]
struct Splitter {
    segments: Vec<Vec<String>>,
    words: Vec<String>,
    word: Option<String>,
    /// The next word is a redirection's target, not an argument.
    redirect: bool,
}

impl Splitter {
    fn push_char(&mut self, c: char) {
        self.word.get_or_insert_with(String::new).push(c);
    }
    fn push_str(&mut self, s: &str) {
        self.word.get_or_insert_with(String::new).push_str(s);
    }
    fn end_word(&mut self) {
        if let Some(word) = self.word.take() {
            if std::mem::take(&mut self.redirect) {
                return;
            }
            self.words.push(word);
        }
    }
    fn end_segment(&mut self) {
        self.end_word();
        self.redirect = false;
        let words = std::mem::take(&mut self.words);
        if !words.is_empty() {
            self.segments.push(words);
        }
    }
}

/// The simple commands of one line (split at `|`, `||`, `&&`, `;`, `&`), each a list of words;
/// substitutions' texts are added to `inner`.
fn segments(line: &str, inner: &mut Vec<String>) -> Vec<Vec<String>> {
    let chars: Vec<char> = line.chars().collect();
    let mut s = Splitter::default();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            ' ' | '\t' => s.end_word(),
            '#' if s.word.is_none() => break,
            '\\' => {
                if let Some(n) = next {
                    s.push_char(n);
                }
                i += 1;
            }
            '\'' => {
                let end = find(&chars, i + 1, '\'');
                s.push_str(&chars[i + 1..end].iter().collect::<String>());
                i = end;
            }
            '"' => i = double_quoted(&chars, i + 1, &mut s, inner),
            '`' => {
                let end = find(&chars, i + 1, '`');
                inner.push(chars[i + 1..end].iter().collect());
                s.push_str(SUBSTITUTED);
                i = end;
            }
            '$' | '<' | '>' if next == Some('(') => {
                let end = closing_paren(&chars, i + 2);
                inner.push(chars[i + 2..end].iter().collect());
                s.push_str(SUBSTITUTED);
                i = end;
            }
            '|' | ';' => {
                s.end_segment();
                if next == Some(c) || next == Some('&') {
                    i += 1;
                }
            }
            '&' if next == Some('>') => {
                s.end_word();
                s.redirect = true;
                i += 1;
            }
            '&' => {
                s.end_segment();
                if next == Some('&') {
                    i += 1;
                }
            }
            '<' | '>' => {
                // `2>` and `>`: the digits before belong to the operator.
                if s.word
                    .as_deref()
                    .is_some_and(|w| w.chars().all(|d| d.is_ascii_digit()))
                {
                    s.word = None;
                }
                s.end_word();
                while matches!(chars.get(i + 1), Some('>' | '&')) {
                    i += 1;
                }
                s.redirect = true;
            }
            _ => s.push_char(c),
        }
        i += 1;
    }
    s.end_segment();
    s.segments
}

/// The index of `close` at or after `from` (or the end of the line).
fn find(chars: &[char], from: usize, close: char) -> usize {
    (from..chars.len())
        .find(|&j| chars[j] == close)
        .unwrap_or(chars.len())
}

/// The index of the `)` closing a `(` just before `from`, skipping nested parentheses and quotes.
fn closing_paren(chars: &[char], from: usize) -> usize {
    let mut depth = 1;
    let mut j = from;
    while j < chars.len() {
        match chars[j] {
            '\'' | '"' => j = find(chars, j + 1, chars[j]),
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return j;
                }
            }
            _ => {}
        }
        j += 1;
    }
    chars.len()
}

/// Reads a double-quoted string from `from`; returns the index of its closing quote.
fn double_quoted(chars: &[char], from: usize, s: &mut Splitter, inner: &mut Vec<String>) -> usize {
    s.push_str("");
    let mut j = from;
    while j < chars.len() && chars[j] != '"' {
        match (chars[j], chars.get(j + 1)) {
            ('\\', Some(&n)) if matches!(n, '"' | '\\' | '$' | '`') => {
                s.push_char(n);
                j += 1;
            }
            ('$', Some('(')) => {
                let end = closing_paren(chars, j + 2);
                inner.push(chars[j + 2..end].iter().collect());
                s.push_str(SUBSTITUTED);
                j = end;
            }
            (c, _) => s.push_char(c),
        }
        j += 1;
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<Vec<String>> {
        commands(text).into_iter().map(|c| c.words).collect()
    }

    #[test]
    fn continuations_quotes_comments_and_substitutions() {
        let text = "AMLAB_X=1 amlab check lab.yaml --target azure \\\n    --subscription \"$(az account show --query id -o tsv)\" \\\n    --var 'a=b c'   # a comment\n";
        assert_eq!(
            words(text),
            [
                vec![
                    "amlab",
                    "check",
                    "lab.yaml",
                    "--target",
                    "azure",
                    "--subscription",
                    "SUBSTITUTED",
                    "--var",
                    "a=b c"
                ],
                vec!["az", "account", "show", "--query", "id", "-o", "tsv"],
            ]
        );
        assert_eq!(commands(text)[0].line, 1);
    }

    #[test]
    fn pipes_lists_redirections_and_process_substitution() {
        assert_eq!(
            words(
                "amlab man > amlab.1 && man -l amlab.1 2>&1 | less; source <(amlab completions bash)"
            ),
            [
                vec!["amlab", "man"],
                vec!["man", "-l", "amlab.1"],
                vec!["less"],
                vec!["source", "SUBSTITUTED"],
                vec!["amlab", "completions", "bash"],
            ]
        );
    }

    #[test]
    fn console_blocks_count_prompted_lines_only() {
        let text =
            "$ amlab serve --tls\nlistening on https://127.0.0.1:8443\n$ . .amlab/azure.env\n";
        assert_eq!(
            words(text),
            [
                vec!["amlab", "serve", "--tls"],
                vec![".", ".amlab/azure.env"]
            ]
        );
        assert_eq!(commands(text)[1].line, 3);
    }
}
