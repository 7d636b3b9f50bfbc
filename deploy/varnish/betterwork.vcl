# Varnish in front of gunicorn (docs/deployment.md, "The HTTP cache").
#
# - Keeps what Django marks `Cache-Control: public, s-maxage=...` (website/cache.py) for s-maxage,
#   serves it stale for stale-while-revalidate while it fetches a fresh copy; never keeps a
#   response that sets a cookie or is private/no-store (Varnish's built-in rules, kept below).
# - Never answers a visitor with a session cookie or an Authorization header from the cache:
#   editors see their user bar; their pages are never stored.
# - Keys a page on host, scheme and the path with only the query parameters pages read (page,
#   topic, year, category, q, language); every other parameter is dropped before lookup.
# - PURGE (sent by wagtail.contrib.frontend_cache's HTTP backend on publish) only from the
#   application's addresses (acl purgers); it drops every stored query string of the path.

vcl 4.1;

import std;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
}

# The application servers (their workers and `manage.py` commands send PURGE).
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (!client.ip ~ purgers) {
            return (synth(405, "Not allowed"));
        }
        # Every stored variant of the path (all query strings, both schemes) of this host.
        ban("obj.http.x-host == " + req.http.host + " && obj.http.x-path == " + regsub(req.url, "\?.*$", ""));
        return (synth(200, "Purged"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url !~ "^/(en|bn)/") {
        # Admin, static files (WhiteNoise sets its own headers), health, the language redirect.
        return (pass);
    }
    if (req.http.Authorization || req.http.Cookie ~ "(^|;\s*)sessionid=") {
        set req.http.x-pass = "1";
        return (pass);
    }
    # Pages never read other cookies (the CSRF cookie is set afresh on a page with a form, which
    # is then not stored; the language cookie only matters on `/`).
    unset req.http.Cookie;
    # Only the query parameters pages read make a key; the rest are dropped.
    if (req.url ~ "\?") {
        set req.url = regsuball(req.url, "([?&])(?!(page|topic|year|category|q|language)=)[^&#]*", "\1");
        set req.url = regsuball(req.url, "&{2,}", "&");
        set req.url = regsub(req.url, "\?&+", "?");
        set req.url = regsub(req.url, "[?&]+$", "");
        set req.url = std.querysort(req.url);
    }
    return (hash);
}

sub vcl_hash {
    hash_data(req.url);
    hash_data(req.http.host);
    hash_data(req.http.X-Forwarded-Proto);
    return (lookup);
}

sub vcl_backend_response {
    # For bans on purge (compared as strings, so the ban lurker can drop objects in the background).
    set beresp.http.x-host = bereq.http.host;
    set beresp.http.x-path = regsub(bereq.url, "\?.*$", "");
    if (beresp.http.Set-Cookie || beresp.http.Cache-Control !~ "public") {
        # Never stored; later requests go to the application at once (hit-for-miss).
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # The built-in rules read s-maxage and stale-while-revalidate from Cache-Control.
}

sub vcl_deliver {
    if (!req.http.x-pass && !obj.uncacheable) {
        if (obj.hits > 0) {
            set resp.http.X-Page-Cache = "hit";
        } else {
            set resp.http.X-Page-Cache = "miss";
        }
    }
    unset resp.http.x-host;
    unset resp.http.x-path;
    unset resp.http.Via;
    unset resp.http.X-Varnish;
}
