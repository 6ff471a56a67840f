# Geolocation (libgeoip, libmaxminddb) and the crawl report (HTML with inline SVG, CSV, JSON).
list(APPEND MODULE_SOURCES geo.cpp report.cpp)
list(APPEND MODULE_TESTS geo_test.cpp report_test.cpp)
