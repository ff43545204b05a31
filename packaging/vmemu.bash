# bash completion for vmemu(1), installed as
# share/bash-completion/completions/vmemu: commands; options, read from the
# --help of the vmemu being completed, so they are that vmemu's own (and
# whether each takes a value); the values of --trace and --report (comma
# lists), --fault-mode, --cache, --vma-tree and --trace-format;
# directories for --root; files for PROGRAM, its arguments, EXPECTED,
# traces and the files options write.

# The long options of "$1 --help", kept for the shell's life per vmemu:
# _vmemu_valued, those that take a value (--opt=VALUE or --opt VALUE), and
# _vmemu_offer, what to offer: --opt= for those --help shows with "=",
# --opt for the others.
_vmemu_read_options()
{
    [[ ${_vmemu_options_of-} == "$1" ]] && return
    _vmemu_valued=() _vmemu_offer=()
    local line re='^  (-[a-zA-Z], )?(--[a-z][a-z-]*)(=| [^ ])?'
    while IFS= read -r line; do
        [[ $line =~ $re ]] || continue
        [[ -n ${BASH_REMATCH[3]} ]] && _vmemu_valued+=("${BASH_REMATCH[2]}")
        if [[ ${BASH_REMATCH[3]} == = ]]; then
            _vmemu_offer+=("${BASH_REMATCH[2]}=")
        else
            _vmemu_offer+=("${BASH_REMATCH[2]}")
        fi
    done < <("$1" --help 2>/dev/null)
    _vmemu_options_of=$1
}

# Does option $1 take a value?
_vmemu_is_valued()
{
    local o
    for o in "${_vmemu_valued[@]}"; do
        [[ $o == "$1" ]] && return 0
    done
    return 1
}

# COMPREPLY: the items of the comma list $2 that complete $1's last item.
_vmemu_list()
{
    local done= last=$1
    if [[ $1 == *,* ]]; then
        done=${1%,*},
        last=${1##*,}
    fi
    COMPREPLY=($(compgen -P "$done" -W "$2" -- "$last"))
    compopt -o nospace
}

# COMPREPLY: files (or, with -d, directories) completing $1.
_vmemu_files()
{
    local IFS=$'\n'
    compopt -o filenames
    if [[ $1 == -d ]]; then
        COMPREPLY=($(compgen -d -- "$2"))
    else
        COMPREPLY=($(compgen -f -- "$1"))
    fi
}

# COMPREPLY: values of option $1 completing $2.
_vmemu_value()
{
    case $1 in
    --trace) _vmemu_list "$2" "fault mm syscall pagecache proc reclaim access memory all" ;;
    --report) _vmemu_list "$2" "meminfo buddyinfo slabinfo zoneinfo vmstat status stat" ;;
    --fault-mode) COMPREPLY=($(compgen -W "auto inline precise" -- "$2")) ;;
    --cache) COMPREPLY=($(compgen -W "warm cold" -- "$2")) ;;
    --vma-tree) COMPREPLY=($(compgen -W "maple rbtree array" -- "$2")) ;;
    --trace-format) COMPREPLY=($(compgen -W "text jsonl" -- "$2")) ;;
    --access-sample) COMPREPLY=($(compgen -W "off 200us 500us 1ms" -- "$2")) ;;
    --root) _vmemu_files -d "$2" ;;
    --trace-file | --html | --perfetto | --output | -o) _vmemu_files "$2" ;;
    *) COMPREPLY=() ;; # a size, a number or a spec: nothing to offer
    esac
}

_vmemu()
{
    COMPREPLY=()
    # Readline splits at '=': join "--trace" "=" "fa" back into one word.
    local words=() i w
    for ((i = 0; i <= COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if ((${#words[@]} > 1)) && [[ $w == = || ${words[-1]} == *= ]]; then
            words[-1]+=$w
        else
            words+=("$w")
        fi
    done
    local cword=$((${#words[@]} - 1)) cur=${words[-1]}
    if ((cword == 1)); then
        COMPREPLY=($(compgen -W "run check report help -h --help -V --version" -- "$cur"))
        return
    fi
    local cmd=${words[1]}
    if [[ $cmd == report ]]; then
        case ${words[cword - 1]} in
        -o | --output | --perfetto) _vmemu_files "$cur" ;;
        *)
            case $cur in
            --output=* | --perfetto=*) _vmemu_files "${cur#*=}" ;;
            -*) COMPREPLY=($(compgen -W "-o --output --perfetto --help" -- "$cur")) ;;
            *) _vmemu_files "$cur" ;;
            esac
            ;;
        esac
        return
    fi
    [[ $cmd == run || $cmd == check ]] || return
    _vmemu_read_options "${words[0]}"
    # Which word is this: an option's, its value, or a file (EXPECTED, PROGRAM or an argument)?
    local after_options= value_of=
    for ((i = 2; i < cword; i++)); do
        w=${words[i]}
        if [[ -n $after_options ]]; then
            break
        elif [[ -n $value_of ]]; then
            value_of=
        elif [[ $w == -- ]]; then
            after_options=1
        elif [[ $w == --*=* ]]; then
            :
        elif [[ $w == -* ]] && _vmemu_is_valued "$w"; then
            value_of=$w
        elif [[ $w != -* ]]; then
            after_options=1
        fi
    done
    if [[ -n $value_of ]]; then
        _vmemu_value "$value_of" "$cur"
    elif [[ -z $after_options && $cur == --*=* ]]; then
        _vmemu_value "${cur%%=*}" "${cur#*=}"
    elif [[ -z $after_options && $cur == -* ]]; then
        local candidates=("${_vmemu_offer[@]}" --)
        [[ $cmd == check ]] && candidates+=(--update)
        COMPREPLY=($(compgen -W "${candidates[*]}" -- "$cur"))
        [[ ${#COMPREPLY[@]} == 1 && ${COMPREPLY[0]} == *= ]] && compopt -o nospace
    else
        _vmemu_files "$cur"
    fi
}
complete -F _vmemu vmemu
