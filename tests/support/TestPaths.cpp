#include "TestPaths.h"

namespace berth::test {

namespace {

QString fromEnv(const char* name, const char* fallback)
{
    const auto value = qEnvironmentVariable(name);
    return value.isEmpty() ? QString::fromUtf8(fallback) : value;
}

} // namespace

QString imageDir()
{
    return fromEnv("BERTH_IMAGE_DIR", BERTH_IMAGE_DIR);
}

QString binDir()
{
    return fromEnv("BERTH_BIN_DIR", BERTH_BIN_DIR);
}

QString testImagesDir()
{
    return fromEnv("BERTH_TEST_IMAGES_DIR", BERTH_TEST_IMAGES_DIR);
}

} // namespace berth::test
