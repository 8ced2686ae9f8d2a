#!/usr/bin/env bash
# The dependency rule: the runtime (fcgi/) names nothing above it. Fails,
# listing the lines, when a file under fcgi/ includes anything outside it.
cd "$(dirname "$0")/.."
bad=$(grep -n '#include "' fcgi/*.c fcgi/*.h fcgi/*.def 2>/dev/null | grep -v '#include "[a-z_]*\.\(h\|def\)"')
if [ -n "$bad" ]; then
    echo "fcgi/ includes from outside itself:"; echo "$bad"; exit 1
fi
