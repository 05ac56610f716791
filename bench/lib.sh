# Shared by the bench scripts: timing, medians, alternating comparisons. Source it; set `runs` first.
now() { date +%s.%N; }
# time_of CMD...: seconds the command took
time_of() { local s e; s=$(now); "$@" >/dev/null; e=$(now); awk "BEGIN{print $e - $s}"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# compare A B: runs A and B alternately `runs` times; prints their median seconds.
compare() {
  local a=() b=()
  for _ in $(seq "$runs"); do a+=("$(time_of "$1")"); b+=("$(time_of "$2")"); done
  echo "$(median "${a[@]}") $(median "${b[@]}")"
}
