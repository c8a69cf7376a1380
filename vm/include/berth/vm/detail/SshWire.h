#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// The encodings SSH keys and messages are written in (vm/src/platform/SshWire.cpp): each
// system's SshKeys.cpp writes keys with them, the SSH forwarder reads pinned keys and writes
// channel requests.
namespace berth::vm::detail {

// SSH wire encoding (RFC 4251): a uint32 big-endian; a string as its length and bytes; an mpint
// from unsigned big-endian bytes (leading zeros dropped, a zero byte added when the top bit is set).
void putU32(std::string& out, std::uint32_t v);
void putString(std::string& out, std::string_view s);
void putMpint(std::string& out, std::string_view bigEndian);

// Standard base64 with padding, on one line; and back (nullopt for text that is not base64).
std::string base64(std::string_view bytes);
std::optional<std::string> base64Decode(std::string_view text);

// A PEM block: "-----BEGIN LABEL-----", the base64 of `bytes` in lines of `width`, then
// "-----END LABEL-----".
std::string pem(std::string_view label, std::string_view bytes, std::size_t width = 64);

// An unencrypted OpenSSH private key file (openssh-key-v1, OpenSSH's PROTOCOL.key) holding one
// key: `publicBlob` is the key's public wire form; `keyFields` its type and key material in the
// private section's order; `check` a random word (written twice, as OpenSSH checks a
// decryption by). The private section ends with the comment, padded to 8 bytes.
std::string opensshPrivateKey(std::string_view publicBlob, std::string_view keyFields,
                              std::string_view comment, std::uint32_t check);

} // namespace berth::vm::detail
