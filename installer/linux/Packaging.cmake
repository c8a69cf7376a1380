# What a Linux package holds beyond the programs (which app/ and resources/ install), and the
# CPack settings for the .deb and .rpm that scripts/package makes. Layout under the prefix (/usr):
#   bin/berth, bin/berth-desktop               the CLI and the desktop app
#   share/berth/vm-image/                       the guest image: kernel, initrds, root, manifest
#   lib/berth/bin/docker                        the docker CLI Berth bundles; /usr/bin/docker points
#                                               at it through update-alternatives, unless another
#                                               package (docker.io, docker-ce-cli) owns that file
#   lib/berth/cli-plugins/docker-{compose,buildx}
#                                               added to each user's cliPluginsExtraDirs by berth start
#   lib/berth/berth-default-socket              the privileged helper `berth default-socket` runs
#                                               through pkexec (recommended) to link /run/docker.sock
#   share/doc/berth/                            copyright, LICENSE, and bundled/ with the copyright
#                                               files of everything bundled (the guest's packages too)
# The guest image and the CLI come from this build, so packaging needs a build made with the
# image (not a side build with BERTH_PREBUILT_DIR).

if(BERTH_PREBUILT_DIR OR NOT BERTH_BUILD_VM_IMAGE)
  return()
endif()

# --- the guest image, the bundled CLI and the copyright files
# The image's files are the ones its manifest lists (read when installing, after the build made
# it), so a file added to the image is packaged without a second list to keep in step.
install(CODE "
  file(READ \"${BERTH_IMAGE_DIR}/manifest.json\" manifest)
  string(JSON count LENGTH \"\${manifest}\" files)
  set(image_files \"${BERTH_IMAGE_DIR}/manifest.json\")
  math(EXPR last \"\${count} - 1\")
  foreach(i RANGE \${last})
    string(JSON name MEMBER \"\${manifest}\" files \${i})
    list(APPEND image_files \"${BERTH_IMAGE_DIR}/\${name}\")
  endforeach()
  file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/share/berth/vm-image\" TYPE FILE FILES \${image_files})
")
install(PROGRAMS ${CMAKE_RUNTIME_OUTPUT_DIRECTORY}/docker DESTINATION lib/berth/bin)
install(PROGRAMS ${CMAKE_RUNTIME_OUTPUT_DIRECTORY}/cli-plugins/docker-compose
                 ${CMAKE_RUNTIME_OUTPUT_DIRECTORY}/cli-plugins/docker-buildx
        DESTINATION lib/berth/cli-plugins)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/copyright DESTINATION share/doc/berth)

# The guest's /usr/share/doc/*/copyright, taken from its root file system.
set(guest_licenses ${PROJECT_BINARY_DIR}/licenses/guest)
add_custom_command(
  OUTPUT ${guest_licenses}/.done
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${guest_licenses}
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/guest-copyrights ${BERTH_IMAGE_DIR}/root.sqfs ${guest_licenses}
  COMMAND ${CMAKE_COMMAND} -E touch ${guest_licenses}/.done
  DEPENDS ${BERTH_IMAGE_DIR}/manifest.json ${CMAKE_CURRENT_LIST_DIR}/guest-copyrights
  COMMENT "Collecting the guest image's copyright files")
add_custom_target(guest-copyrights ALL DEPENDS ${guest_licenses}/.done)
add_dependencies(guest-copyrights vm-image)
install(DIRECTORY ${guest_licenses}/ DESTINATION share/doc/berth/bundled/guest-image PATTERN .done EXCLUDE)
install(DIRECTORY ${PROJECT_BINARY_DIR}/licenses/host-cli/ DESTINATION share/doc/berth/bundled)

# --- CPack
set(CPACK_PACKAGE_NAME berth)
set(CPACK_PACKAGE_VENDOR "The Berth developers")
set(CPACK_PACKAGE_CONTACT "The Berth developers <berth-maintainers@users.noreply.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Docker engine in a lightweight VM, with a desktop app")
set(CPACK_PACKAGE_DESCRIPTION
  "Berth runs the Docker engine (dockerd, containerd and runc from Debian) in a small QEMU virtual machine and forwards its socket to this computer, so the docker CLI, docker compose and every Docker SDK work without an engine installed on the host. It bundles the docker CLI with the compose and buildx plugins, a desktop app with a tray icon, and the berth command to start, stop and inspect the engine.")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB RPM)
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/packages)

# Debian: libraries found by dpkg-shlibdeps; what the programs start is named here.
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "qemu-system-x86 (>= 1:7.2), qemu-system-data, openssh-client, libqt6svg6, qt6-qpa-plugins | libqt6gui6 (<< 6.5)")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "hicolor-icon-theme, pkexec")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "gnome-shell-extension-appindicator")
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip) # most bytes are the already-compressed guest root; CPack's zstd (level 19) takes many minutes
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_CURRENT_LIST_DIR}/deb/postinst ${CMAKE_CURRENT_LIST_DIR}/deb/prerm ${CMAKE_CURRENT_LIST_DIR}/deb/postrm
  ${CMAKE_CURRENT_LIST_DIR}/deb/triggers)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# RPM: libraries found by rpm's automatic requires.
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_LICENSE "Apache-2.0")
set(CPACK_RPM_PACKAGE_GROUP "Applications/System")
set(CPACK_RPM_PACKAGE_REQUIRES "qemu-system-x86-core, openssh-clients, qt6-qtsvg")
set(CPACK_RPM_PACKAGE_AUTOREQ ON)
set(CPACK_RPM_SPEC_MORE_DEFINE "%define _binary_payload w6.gzdio\n%define __os_install_post %{nil}")
set(CPACK_RPM_POST_INSTALL_SCRIPT_FILE ${CMAKE_CURRENT_LIST_DIR}/rpm/post)
set(CPACK_RPM_PRE_UNINSTALL_SCRIPT_FILE ${CMAKE_CURRENT_LIST_DIR}/rpm/preun)
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
  /usr/share/applications /usr/share/metainfo /usr/share/icons /usr/share/icons/hicolor
  /usr/lib/berth /usr/share/doc)

include(CPack)
