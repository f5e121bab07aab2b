#!/usr/bin/env bash
# ctest packaging.completion_covers_help: the bash completion offers what `slagent help`
# lists, by running the completion function as bash would:
#   - every command (the first word of a usage line, and a word after '|' such as
#     restore) after `slagent`;
#   - every subcommand (a lower-case second word: transport direct, renew auth, privacy
#     on|off, usage set) after its command;
#   - every option of a usage line after its command (and subcommand), every global
#     option after `slagent`;
#   - files for a FILE argument, directories for a DIR argument.
#
#   completion_test.sh SLAGENT COMPLETION_SCRIPT
set -euo pipefail
if [[ $# -ne 2 ]]; then
  echo "usage: $0 SLAGENT COMPLETION_SCRIPT" >&2
  exit 2
fi
slagent=$1
# The completion script is shellchecked on its own.
# shellcheck source=/dev/null
source "$2"
help=$("$slagent" help)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/probe-dir"
touch "$tmp/probe-file"
cd "$tmp"

failures=0
checks=0
# offers WANTED WORD...: completing after `slagent WORD...` offers WANTED.
offers() {
  local wanted=$1
  shift
  COMP_WORDS=(slagent "$@")
  COMP_CWORD=$(($# + 1))
  COMP_WORDS+=("${wanted:0:2}")  # what the operator typed so far
  [[ $wanted == probe-* ]] && COMP_WORDS[COMP_CWORD]=probe
  COMPREPLY=()
  _slagent
  checks=$((checks + 1))
  local reply
  for reply in "${COMPREPLY[@]}"; do
    [[ $reply == "$wanted" ]] && return 0
  done
  echo "FAIL: 'slagent ${*:+$* }${COMP_WORDS[COMP_CWORD]}<TAB>' does not offer $wanted (offers: ${COMPREPLY[*]})"
  failures=$((failures + 1))
}

# options_of CONTEXT... -- WORD...: each option among the words is offered after the
# context, with files after one that takes a FILE and directories after a DIR.
options_of() {
  local context=() word i
  while [[ $1 != -- ]]; do context+=("$1"); shift; done
  shift
  local words=("$@")
  for ((i = 0; i < ${#words[@]}; i++)); do
    word=${words[i]#[(\[]}
    word=${word%%[],)]*}
    [[ $word == --* ]] || continue
    offers "$word" "${context[@]}"
    case ${words[i + 1]:-} in
      FILE*) offers probe-file "${context[@]}" "$word" ;;
      DIR*) offers probe-dir "${context[@]}" "$word" ;;
    esac
  done
}

section=""
context=()
while IFS= read -r line; do
  case $line in
    "Global options"*) section=global; continue ;;
    "Exit codes"*) section=""; continue ;;
  esac
  read -ra words <<<"$line"
  if [[ $section == global ]]; then
    [[ $line =~ ^\ +-- ]] && options_of -- "${words[0]}" "${words[1]:-}"
    continue
  fi
  [[ $line =~ ^\ +[a-z] ]] || continue
  if [[ $line =~ ^\ \ [a-z] ]]; then  # a usage line; deeper lines continue the last one
    tag=${line#  }
    tag=${tag%%  *}  # the description starts after two spaces
    read -ra words <<<"$tag"
    context=("${words[0]}")
    offers "${words[0]}"
    second=${words[1]:-}
    if [[ $second =~ ^[a-z]+(\|[a-z]+)*$ ]]; then
      for s in ${second//|/ }; do offers "$s" "${words[0]}"; done
      context+=("${second%%|*}")
    fi
    [[ $second == FILE ]] && offers probe-file "${words[0]}"
    # "backup FILE | restore FILE": the command after '|' too.
    for ((i = 1; i + 1 < ${#words[@]}; i++)); do
      if [[ ${words[i]} == "|" && ${words[i + 1]} =~ ^[a-z] ]]; then
        offers "${words[i + 1]}"
        [[ ${words[i + 2]:-} == FILE ]] && offers probe-file "${words[i + 1]}"
      fi
    done
  else
    context=("${context[0]}")
  fi
  options_of "${context[@]}" -- "${words[@]}"
done <<<"$help"

if [[ $checks -lt 30 ]]; then
  echo "FAIL: only $checks completions checked: is '$slagent help' still the usage text?"
  failures=$((failures + 1))
fi
if [[ $failures -gt 0 ]]; then
  echo "$failures of $checks completions missing from $2"
  exit 1
fi
echo "all $checks completions of 'slagent help' offered"
