#include "berth/vm/detail/SshWire.h"

namespace berth::vm::detail {

namespace {

std::string_view withoutLeadingZeros(std::string_view bytes)
{
    while (!bytes.empty() && bytes.front() == '\0')
        bytes.remove_prefix(1);
    return bytes;
}

} // namespace

void putU32(std::string& out, std::uint32_t v)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void putString(std::string& out, std::string_view s)
{
    putU32(out, static_cast<std::uint32_t>(s.size()));
    out += s;
}

void putMpint(std::string& out, std::string_view bigEndian)
{
    const auto digits = withoutLeadingZeros(bigEndian);
    std::string value;
    if (!digits.empty() && (static_cast<unsigned char>(digits.front()) & 0x80))
        value.push_back('\0'); // positive
    value += digits;
    putString(out, value);
}

std::string base64(std::string_view bytes)
{
    static constexpr char kDigits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve(4 * ((bytes.size() + 2) / 3));
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const auto at = [&](std::size_t k) {
            return i + k < bytes.size() ? static_cast<unsigned char>(bytes[i + k]) : 0u;
        };
        const std::uint32_t group = (at(0) << 16) | (at(1) << 8) | at(2);
        out.push_back(kDigits[(group >> 18) & 63]);
        out.push_back(kDigits[(group >> 12) & 63]);
        out.push_back(i + 1 < bytes.size() ? kDigits[(group >> 6) & 63] : '=');
        out.push_back(i + 2 < bytes.size() ? kDigits[group & 63] : '=');
    }
    return out;
}

std::optional<std::string> base64Decode(std::string_view text)
{
    if (text.size() % 4 != 0)
        return std::nullopt;
    const auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z')
            return c - 'A';
        if (c >= 'a' && c <= 'z')
            return c - 'a' + 26;
        if (c >= '0' && c <= '9')
            return c - '0' + 52;
        return c == '+' ? 62 : c == '/' ? 63 : -1;
    };
    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        const int padding = last ? (text[i + 3] == '=') + (text[i + 2] == '=') : 0;
        std::uint32_t group = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            const int v = k >= 4 - static_cast<std::size_t>(padding) ? 0 : value(text[i + k]);
            if (v < 0)
                return std::nullopt;
            group = (group << 6) | static_cast<std::uint32_t>(v);
        }
        out.push_back(static_cast<char>((group >> 16) & 0xff));
        if (padding < 2)
            out.push_back(static_cast<char>((group >> 8) & 0xff));
        if (padding < 1)
            out.push_back(static_cast<char>(group & 0xff));
    }
    return out;
}

std::string pem(std::string_view label, std::string_view bytes, std::size_t width)
{
    std::string out = "-----BEGIN " + std::string(label) + "-----\n";
    const auto encoded = base64(bytes);
    for (std::size_t i = 0; i < encoded.size(); i += width)
        out += encoded.substr(i, width) + "\n";
    return out + "-----END " + std::string(label) + "-----\n";
}

std::string opensshPrivateKey(std::string_view publicBlob, std::string_view keyFields,
                              std::string_view comment, std::uint32_t check)
{
    std::string secret;
    putU32(secret, check);
    putU32(secret, check);
    secret += keyFields;
    putString(secret, comment);
    for (char pad = 1; secret.size() % 8 != 0; ++pad)
        secret.push_back(pad);

    std::string file("openssh-key-v1", 14);
    file.push_back('\0');
    putString(file, "none"); // cipher
    putString(file, "none"); // kdf
    putString(file, "");     // kdf options
    putU32(file, 1);         // number of keys
    putString(file, publicBlob);
    putString(file, secret);
    return pem("OPENSSH PRIVATE KEY", file, 70);
}

} // namespace berth::vm::detail
