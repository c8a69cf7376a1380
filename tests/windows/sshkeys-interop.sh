#!/usr/bin/env bash
# Whether OpenSSH takes the keys Berth makes on Windows (ECDSA nistp256 with CNG, in OpenSSH's
# own private key format): tst_vmcore.exe makes a pair under Wine, then the host's ssh-keygen
# reads the private key and derives the same public key, and a signature made with the private
# key verifies against the public one.  Usage: sshkeys-interop.sh WINE TST_VMCORE_EXE
set -euo pipefail
wine=$1 exe=$2
dir=$(mktemp -d /tmp/berth-keys-XXXXXX)
trap 'rm -rf "$dir"' EXIT
"$wine" "$exe" keys "Z:$dir"
chmod 600 "$dir/key"
fail() { echo "FAIL: $*" >&2; exit 1; }
derived=$(ssh-keygen -y -f "$dir/key" | cut -d" " -f1,2) || fail "ssh-keygen cannot read the private key"
written=$(cut -d' ' -f1,2 "$dir/key.pub")
[[ "$derived" == "$written" ]] || fail "the public key derived from the private one differs: $derived vs $written"
fingerprint=$(ssh-keygen -l -f "$dir/key.pub")
[[ "$fingerprint" == "256 SHA256:"*" berth-interop (ECDSA)" ]] || fail "unexpected key: $fingerprint"
echo "signed by Berth's key" >"$dir/message"
ssh-keygen -q -Y sign -f "$dir/key" -n berth-test "$dir/message" || fail "ssh-keygen cannot sign with the key"
echo "berth $(cut -d' ' -f1,2 "$dir/key.pub")" >"$dir/allowed"
ssh-keygen -Y verify -f "$dir/allowed" -I berth -n berth-test -s "$dir/message.sig" <"$dir/message" ||
  fail "the signature does not verify against the public key"
echo "ok: $fingerprint; OpenSSH reads it, derives the same public key, signs and verifies"
