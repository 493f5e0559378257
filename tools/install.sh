#!/bin/sh
# make install / make uninstall (see the Makefile). Installs under PREFIX:
#   bin/routerisk, share/routerisk/{data,seeds,docs/openapi.json} (the bundled data the binary finds beside itself),
#   share/man/man1/routerisk*.1, and bash, zsh and fish completions,
# and records every file and every directory it created in share/routerisk/install-manifest,
# so uninstall removes exactly those (directories only when they are left empty).
# Usage: tools/install.sh install PREFIX BIN_DIR   (run from the checkout's root)
#        tools/install.sh uninstall PREFIX
set -eu
mode=$1
if [ "$mode" = install ]; then mkdir -p "$2"; fi
# Absolute, so it still holds inside the subshells that change folder.
if [ -d "$2" ]; then prefix=$(cd "$2" && pwd); else prefix=$2; fi
manifest="$prefix/share/routerisk/install-manifest"

uninstall() {
    [ -f "$manifest" ] || { echo "uninstall: nothing installed in $prefix (no $manifest)" >&2; return 1; }
    # Read whole first: the manifest is one of the files removed.
    recorded=$(cat "$manifest")
    printf '%s\n' "$recorded" | grep '^file ' | cut -c6- | while IFS= read -r path; do rm -f "$prefix/$path"; done
    # Deepest first, so a folder is empty by the time it is reached.
    printf '%s\n' "$recorded" | grep '^dir ' | cut -c5- | sort -r | while IFS= read -r path; do
        rmdir "$prefix/$path" 2>/dev/null || true
    done
    echo "removed routerisk from $prefix"
}

case $mode in
install)
    binary="$3/routerisk"
    [ -x "$binary" ] || { echo "install: $binary is not built" >&2; exit 1; }
    # A second install replaces the first one cleanly.
    if [ -f "$manifest" ]; then uninstall >/dev/null; fi
    stage=$(mktemp -d)
    trap 'rm -rf "$stage"' EXIT
    mkdir -p "$stage/bin" "$stage/share/routerisk" "$stage/share/man/man1" \
        "$stage/share/bash-completion/completions" "$stage/share/zsh/site-functions" "$stage/share/fish/vendor_completions.d"
    cp "$binary" "$stage/bin/routerisk"
    cp -R data seeds "$stage/share/routerisk/"
    mkdir -p "$stage/share/routerisk/docs" && cp docs/openapi.json "$stage/share/routerisk/docs/"
    "$binary" manual --out "$stage/share/man/man1" >/dev/null
    "$binary" --generate-completion-script bash >"$stage/share/bash-completion/completions/routerisk"
    "$binary" --generate-completion-script zsh >"$stage/share/zsh/site-functions/_routerisk"
    "$binary" --generate-completion-script fish >"$stage/share/fish/vendor_completions.d/routerisk.fish"
    touch "$stage/share/routerisk/install-manifest"
    list="$stage.list"
    {
        (cd "$stage" && find . -mindepth 1 -type d | sort) | while IFS= read -r d; do
            [ -d "$prefix/${d#./}" ] || echo "dir ${d#./}"
        done
        (cd "$stage" && find . -type f | sort) | sed 's|^\./|file |'
    } >"$list"
    (cd "$stage" && tar cf - .) | (cd "$prefix" && tar xf - --no-same-owner)
    mv "$list" "$manifest"
    chmod 755 "$prefix/bin/routerisk"
    echo "installed routerisk $("$prefix/bin/routerisk" --version) in $prefix ($(grep -c '^file ' "$manifest") files)"
    ;;
uninstall)
    uninstall
    ;;
*)
    echo "usage: $0 install PREFIX BIN_DIR | uninstall PREFIX" >&2
    exit 2
    ;;
esac
