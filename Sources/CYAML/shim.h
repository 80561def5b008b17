// The system libyaml (Debian libyaml-dev, pkg-config yaml-0.1), for PortcullisYAML.
#ifndef PORTCULLIS_CYAML_SHIM_H
#define PORTCULLIS_CYAML_SHIM_H
#include <yaml.h>
#endif
