// The one translation unit that compiles Asio and Beast (separate compilation): every
// other file only includes their declarations, which keeps rebuilds affordable.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
