/*
 * assets.h — files under assets/ embedded at build time by cmake/embed.cmake.
 * Each is NUL-terminated; the _len excludes the NUL.
 */
#ifndef LEADFLOW_ASSETS_H
#define LEADFLOW_ASSETS_H

#include <stddef.h>

extern const unsigned char lf_asset_leadflow_example_yaml[];
extern const size_t lf_asset_leadflow_example_yaml_len;

#endif
