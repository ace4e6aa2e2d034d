"""`indicators completion bash`: a bash completion script built from the argument parser, so
it cannot fall behind the options (zsh users: `autoload bashcompinit && bashcompinit` first).

    eval "$(indicators completion bash)"          # this shell
    indicators completion bash > ~/.local/share/bash-completion/completions/indicators
"""

from __future__ import annotations

import argparse

_TEMPLATE = """\
_indicators() {{
    local cur prev words cword
    cur="${{COMP_WORDS[COMP_CWORD]}}"
    prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    local command="${{COMP_WORDS[1]}}"
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "{commands} --help --version" -- "$cur"))
        return
    fi
    case "$prev" in
{choices}
    esac
    case "$command" in
{options}
    esac
}}
complete -o default -F _indicators indicators
"""


def bash_script(parser: argparse.ArgumentParser) -> str:
    """Commands, each command's options, the choices of options that have them, and the rule
    codes and families for --select/--ignore and `rule`."""
    from extractor.checks import RULES
    from extractor.checks.base import families

    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))  # noqa: SLF001
    names = " ".join(sorted(r.code for r in RULES))
    codes = " ".join(sorted({r.code for r in RULES} | set(families())))
    choices, options = {}, []
    for name, command in sub.choices.items():
        flags = [s for a in command._actions for s in a.option_strings]  # noqa: SLF001
        options.append(f'        {name}) COMPREPLY=($(compgen -W "{" ".join(flags)}" -- "$cur"));;')
        for action in command._actions:  # noqa: SLF001
            for flag in action.option_strings:
                if action.choices:
                    choices[flag] = " ".join(map(str, action.choices))
    choices["--select"] = choices["--ignore"] = codes
    lines = [f'        {flag}) COMPREPLY=($(compgen -W "{words}" -- "$cur")); return;;'
             for flag, words in sorted(choices.items())]
    lines.append(f'        rule) COMPREPLY=($(compgen -W "{names}" -- "$cur")); return;;')
    return _TEMPLATE.format(commands=" ".join(sub.choices), choices="\n".join(lines),
                            options="\n".join(options))
