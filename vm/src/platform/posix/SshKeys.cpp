#include "berth/vm/SshKeys.h"

#include <array>
#include <cstdint>
#include <memory>

#include <openssl/evp.h>
#include <openssl/rand.h>

namespace berth::vm {

namespace {

// SSH wire encoding (RFC 4251): uint32 big-endian, and strings as length + bytes.
void putU32(std::string& out, std::uint32_t v)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void putString(std::string& out, const std::string& s)
{
    putU32(out, static_cast<std::uint32_t>(s.size()));
    out += s;
}

std::string base64(const std::string& bytes)
{
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<size_t>(n));
    return out;
}

} // namespace

Result<SshKeyPair> generateEd25519(const std::string& comment)
{
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr),
                                                                    &EVP_PKEY_CTX_free);
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1)
        return Error{"OpenSSL could not generate an ed25519 key"};
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(raw, &EVP_PKEY_free);
    std::array<unsigned char, 32> seed{};
    std::array<unsigned char, 32> pub{};
    size_t seedLen = seed.size();
    size_t pubLen = pub.size();
    if (EVP_PKEY_get_raw_private_key(key.get(), seed.data(), &seedLen) != 1 ||
        EVP_PKEY_get_raw_public_key(key.get(), pub.data(), &pubLen) != 1 || seedLen != 32 || pubLen != 32)
        return Error{"OpenSSL did not return the raw ed25519 key"};
    const std::string pubBytes(reinterpret_cast<const char*>(pub.data()), pub.size());
    const std::string seedBytes(reinterpret_cast<const char*>(seed.data()), seed.size());

    std::string pubBlob;
    putString(pubBlob, "ssh-ed25519");
    putString(pubBlob, pubBytes);

    // openssh-key-v1 (OpenSSH's PROTOCOL.key), unencrypted: the private section repeats a
    // random check word, holds the key (seed || public) and the comment, padded to 8 bytes.
    std::uint32_t check = 0;
    RAND_bytes(reinterpret_cast<unsigned char*>(&check), sizeof check);
    std::string priv;
    putU32(priv, check);
    putU32(priv, check);
    putString(priv, "ssh-ed25519");
    putString(priv, pubBytes);
    putString(priv, seedBytes + pubBytes);
    putString(priv, comment);
    for (char pad = 1; priv.size() % 8 != 0; ++pad)
        priv.push_back(pad);

    std::string blob("openssh-key-v1", 14);
    blob.push_back('\0');
    putString(blob, "none"); // cipher
    putString(blob, "none"); // kdf
    putString(blob, "");     // kdf options
    putU32(blob, 1);         // number of keys
    putString(blob, pubBlob);
    putString(blob, priv);

    SshKeyPair pair;
    pair.privateKey = "-----BEGIN OPENSSH PRIVATE KEY-----\n";
    const auto encoded = base64(blob);
    for (size_t i = 0; i < encoded.size(); i += 70)
        pair.privateKey += encoded.substr(i, 70) + "\n";
    pair.privateKey += "-----END OPENSSH PRIVATE KEY-----\n";
    pair.publicKey = "ssh-ed25519 " + base64(pubBlob) + (comment.empty() ? "" : " " + comment);
    return pair;
}

} // namespace berth::vm
