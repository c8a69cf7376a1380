#include "berth/vm/Sha256.h"

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>

#include <openssl/evp.h>

namespace berth::vm {

namespace {

using DigestContext = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

DigestContext newSha256()
{
    DigestContext ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
        ctx.reset();
    return ctx;
}

std::string finalHex(EVP_MD_CTX* ctx)
{
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx, digest.data(), &length);
    std::string hex;
    hex.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) {
        std::array<char, 3> byte{};
        std::snprintf(byte.data(), byte.size(), "%02x", digest[i]);
        hex += byte.data();
    }
    return hex;
}

} // namespace

Result<std::string> sha256File(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return Error{"cannot read " + file.string()};
    auto ctx = newSha256();
    if (!ctx)
        return Error{"SHA-256 is not available from OpenSSL"};
    std::array<char, 1 << 16> buffer{};
    while (in) {
        in.read(buffer.data(), buffer.size());
        if (in.gcount() > 0)
            EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<size_t>(in.gcount()));
    }
    if (in.bad())
        return Error{"error while reading " + file.string()};
    return finalHex(ctx.get());
}

std::string sha256Hex(const std::string& data)
{
    auto ctx = newSha256();
    if (!ctx)
        return {};
    EVP_DigestUpdate(ctx.get(), data.data(), data.size());
    return finalHex(ctx.get());
}

} // namespace berth::vm
