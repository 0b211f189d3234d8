# bash completion for llmflow: commands, their options and files. The
# commands and options are read from the binary's own help (llmflow --help,
# llmflow CMD --help), so the completion cannot fall behind the tool.
# Installed as share/bash-completion/completions/llmflow; in a checkout:
#   source tools/completion/llmflow.bash
_llmflow() {
  local cur prev cmd i
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      -*) ;;
      *) cmd=${COMP_WORDS[i]}; break ;;
    esac
  done
  local bin=${COMP_WORDS[0]}
  if [[ -z $cmd ]]; then
    local cmds
    cmds=$("$bin" --help 2>/dev/null | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p')
    COMPREPLY=($(compgen -W "$cmds help --help --version" -- "$cur"))
    return
  fi
  if [[ $cmd == help ]]; then
    COMPREPLY=($(compgen -W "$("$bin" --help 2>/dev/null | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p')" -- "$cur"))
    return
  fi
  case $prev in
    --scheduler) COMPREPLY=($(compgen -W "fcfs sjf fair srtf-mean carbyne llmsched llmsched-nobn llmsched-nounc oracle" -- "$cur")); return ;;
    --emit) COMPREPLY=($(compgen -W "ir ast dot summary" -- "$cur")); return ;;
    --color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
    --diagnostics-format) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    local opts
    opts=$("$bin" "$cmd" --help 2>/dev/null | grep -o -- '^  --\?[A-Za-z][A-Za-z-]*' | sed 's/^ *//')
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return
  fi
  if [[ $cmd == bn && $COMP_CWORD -eq $((i + 1)) ]]; then
    COMPREPLY=($(compgen -W "train show export" -- "$cur"))
    return
  fi
  COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _llmflow llmflow
