"""Print the shell block of docs/deployment.md marked `<!-- ci: NAME -->`, or list the names.

    python .ci/doc_blocks.py docs/deployment.md release    # the commands, to run with bash
    python .ci/doc_blocks.py docs/deployment.md            # every marked block's name

The smoke test (.ci/smoke.sh) runs the documented commands exactly as written;
tests/test_production.py checks that every shell block in the document is marked and run.
"""

import re
import sys

BLOCK = re.compile(r"<!-- ci: ([\w-]+) -->\n```sh\n(.*?)```", re.DOTALL)
SHELL_BLOCK = re.compile(r"^```sh$", re.MULTILINE)


def blocks(text):
    """{name: commands} of the marked shell blocks, in document order."""
    return dict(BLOCK.findall(text))


def unmarked_shell_blocks(text):
    """How many ```sh blocks have no `<!-- ci: NAME -->` marker right before them."""
    return len(SHELL_BLOCK.findall(text)) - len(BLOCK.findall(text))


def main(path, name=None):
    with open(path, encoding="utf-8") as file:
        found = blocks(file.read())
    if name is None:
        print("\n".join(found))
    elif name in found:
        sys.stdout.write(found[name])
    else:
        sys.exit(f"{path} has no shell block marked <!-- ci: {name} -->")


if __name__ == "__main__":
    main(*sys.argv[1:])
