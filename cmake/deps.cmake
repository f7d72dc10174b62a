# Third-party dependencies, all from Debian 12 packages.
find_package(Threads REQUIRED)

# CAF 0.17.6: Debian ships neither CAFConfig.cmake nor caf.pc, so wrap the libraries.
find_path(CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
find_library(CAF_CORE_LIB caf_core REQUIRED)
add_library(ce_caf INTERFACE)
target_include_directories(ce_caf SYSTEM INTERFACE ${CAF_INCLUDE_DIR})
target_link_libraries(ce_caf INTERFACE ${CAF_CORE_LIB} Threads::Threads)

find_package(Boost 1.74 REQUIRED COMPONENTS system)
find_package(OpenSSL REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(spdlog REQUIRED)
find_package(PostgreSQL REQUIRED)
find_package(PkgConfig REQUIRED)
# pocketsphinx.pc names /usr/include/sphinxbase, which Debian moved under the multiarch
# include dir: find the headers and libraries ourselves.
find_path(POCKETSPHINX_INCLUDE_DIR pocketsphinx.h PATH_SUFFIXES pocketsphinx REQUIRED)
find_path(SPHINXBASE_INCLUDE_DIR sphinxbase/cmd_ln.h
  PATHS /usr/include/${CMAKE_LIBRARY_ARCHITECTURE} REQUIRED)
find_library(POCKETSPHINX_LIB pocketsphinx REQUIRED)
find_library(SPHINXBASE_LIB sphinxbase REQUIRED)
add_library(ce_pocketsphinx_deps INTERFACE)
target_include_directories(ce_pocketsphinx_deps SYSTEM INTERFACE ${POCKETSPHINX_INCLUDE_DIR}
  ${SPHINXBASE_INCLUDE_DIR} ${SPHINXBASE_INCLUDE_DIR}/sphinxbase)
target_link_libraries(ce_pocketsphinx_deps INTERFACE ${POCKETSPHINX_LIB} ${SPHINXBASE_LIB})
pkg_check_modules(SOXR REQUIRED IMPORTED_TARGET soxr)
find_path(HIREDIS_INCLUDE_DIR hiredis/hiredis.h REQUIRED)
find_library(HIREDIS_LIB hiredis REQUIRED)
find_path(ESPEAK_NG_INCLUDE_DIR espeak-ng/speak_lib.h REQUIRED)
find_library(ESPEAK_NG_LIB espeak-ng REQUIRED)

# Asio and Beast are compiled once, in src/net/asio_beast_impl.cpp; every target that
# includes them must see the same definitions.
add_library(ce_asio INTERFACE)
target_compile_definitions(ce_asio INTERFACE BOOST_ASIO_SEPARATE_COMPILATION
  BOOST_BEAST_SEPARATE_COMPILATION BOOST_ASIO_NO_DEPRECATED)
target_link_libraries(ce_asio INTERFACE Boost::boost Boost::system OpenSSL::SSL OpenSSL::Crypto
  Threads::Threads)
