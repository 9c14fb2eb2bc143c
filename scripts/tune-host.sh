#!/usr/bin/env bash
# Raise vm.max_map_count when it is low and we may: every task stack costs two
# memory mappings (stack + guard page), so tests and benchmarks that hold
# 100,000 tasks need more than the default 65530. Without it phial still works
# (stacks past the budget go unguarded, with a warning). Never fails.
want=262144
cur=$(cat /proc/sys/vm/max_map_count 2>/dev/null || echo 0)
if [ "$cur" -lt "$want" ]; then
    if [ "$(id -u)" = 0 ]; then
        sysctl -q -w vm.max_map_count=$want 2>/dev/null || true
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        sudo -n sysctl -q -w vm.max_map_count=$want 2>/dev/null || true
    fi
fi
exit 0
