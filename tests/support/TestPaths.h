#pragma once

#include <QString>

namespace berth::test {

// Where the build put what tests need; each can be overridden by the environment variable of
// the same name (BERTH_IMAGE_DIR, BERTH_BIN_DIR, BERTH_TEST_IMAGES_DIR).
QString imageDir();
QString binDir();
QString testImagesDir();

} // namespace berth::test
