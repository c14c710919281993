# Sourced by deploy/warren and deploy/local-cluster.sh: the machine's memory, from which heaps are sized.
# Prints MiB; 2048 when /proc/meminfo cannot be read.
machine_memory_mib() {
  awk '/^MemTotal:/{print int($2 / 1024)}' /proc/meminfo 2>/dev/null || echo 2048
}
