"""A small test runner: runs the test_* functions of the given modules (or
of one module.test_name) in file order, prints one line per test, and ends
with 'N passed, N failed'."""
import importlib
import inspect
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main(modules):
    """Each argument is a module (every test in it) or module.test_name."""
    passed = failed = 0
    for arg in modules:
        name, _, only = arg.partition(".")
        mod = importlib.import_module(name)
        tests = [(n, f) for n, f in vars(mod).items() if n.startswith("test_") and inspect.isfunction(f)
                 and (not only or n == only)]
        tests.sort(key=lambda t: t[1].__code__.co_firstlineno)
        for tname, fn in tests:
            t0 = time.monotonic()
            try:
                fn()
                passed += 1
                print(f"ok    {name}.{tname} ({time.monotonic() - t0:.2f}s)", flush=True)
            except Exception as e:  # a failed assertion or an unexpected error
                failed += 1
                print(f"FAIL  {name}.{tname}: {type(e).__name__}: {e}", flush=True)
                traceback.print_exc(limit=3, file=sys.stdout)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
