#pragma once
// Shipping a program to nodes that do not share its file system: the executable and the
// shared libraries the dynamic loader resolves for it, each named by its content hash.

#include <string>
#include <vector>

#include "runtime/wire/messages.hpp"

namespace ferry::client {

/// The executable at `path` and the libraries the dynamic loader resolves for it in
/// `environment` (its LD_LIBRARY_PATH; any LD_PRELOAD is left out), each with its hash and
/// no content. The C library's own files are left out: each node's loader brings them.
/// Throws Error(not_found) when `path` is not a readable file.
std::vector<wire::ShippedFile> program_shipment(const std::string& path, const std::vector<std::string>& environment);

/// Reads into `files` the content of those whose hash is in `hashes`. Throws
/// Error(invalid_argument) for a hash that names none of them, and Error(system) for a
/// file that changed since it was listed.
void fill_shipment_content(std::vector<wire::ShippedFile>& files, const std::vector<std::string>& hashes);

}  // namespace ferry::client
