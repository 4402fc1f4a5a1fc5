// c-echo: a PlugHSS application plugin written in C.
//
// It serves one command, the S6a Authentication-Information-Request, and answers it
// with DIAMETER_SUCCESS: Session-Id echoed, Origin-Host and Origin-Realm from the
// node's identity (an import of the `application` world), Product-Name "c-echo/1.0.0".
// It is the C twin of plugins/fixtures/echo and shows what a plugin in any language
// does: implement the three exports of wit/plugin.wit over the generated bindings,
// reading the request's bytes and writing the answer's bytes itself (RFC 6733).
//
// Memory rules of the generated bindings (gen/application.h):
//   - arguments of an export belong to the plugin: free them (application_*_free);
//   - what an export returns must come from malloc: the generated cabi_post_* function
//     frees it after the host has copied it;
//   - what an import returns belongs to the plugin: free it.

#include <stdlib.h>
#include <string.h>

#include "application.h"

#define NAME "c-echo"
#define VERSION "1.0.0"

// TS 29.272: S6a is a 3GPP application; AIR/AIA is command 318.
#define APP_S6A 16777251u
#define VENDOR_3GPP 10415u
#define CMD_AUTHENTICATION_INFORMATION 318u

// RFC 6733 AVP codes.
#define AVP_SESSION_ID 263u
#define AVP_ORIGIN_HOST 264u
#define AVP_RESULT_CODE 268u
#define AVP_PRODUCT_NAME 269u
#define AVP_AUTH_SESSION_STATE 277u
#define AVP_ORIGIN_REALM 296u

// Header flags (RFC 6733 3) and AVP flags (4.1).
#define HDR_REQUEST 0x80u
#define HDR_PROXIABLE 0x40u
#define AVP_VENDOR 0x80u
#define AVP_MANDATORY 0x40u

#define HEADER_LEN 20u
#define DIAMETER_SUCCESS 2001u
#define DIAMETER_COMMAND_UNSUPPORTED 3001u
#define DIAMETER_MISSING_AVP 5005u
#define DIAMETER_INVALID_AVP_LENGTH 5014u
#define DIAMETER_INVALID_MESSAGE_LENGTH 5015u
#define NO_STATE_MAINTAINED 1u

// Diameter is big-endian; 24-bit fields hold lengths.
static uint32_t get24(const uint8_t *p) { return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]; }
static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] << 24 | get24(p + 1); }
static void put24(uint8_t *p, uint32_t v) { p[0] = v >> 16; p[1] = v >> 8; p[2] = v; }
static void put32(uint8_t *p, uint32_t v) { p[0] = v >> 24; put24(p + 1, v); }

// AVPs are padded to a multiple of 4 octets; the padding is not in the AVP Length.
static size_t pad4(size_t n) { return (n + 3) & ~(size_t)3; }
static size_t avp_size(size_t data_len) { return 8 + pad4(data_len); }

// Writes one AVP without a Vendor-Id at `p` and returns where the next one goes.
static uint8_t *put_avp(uint8_t *p, uint32_t code, uint8_t flags, const void *data, size_t len) {
    put32(p, code);
    p[4] = flags;
    put24(p + 5, (uint32_t)(8 + len));
    memcpy(p + 8, data, len);
    memset(p + 8 + len, 0, pad4(len) - len);
    return p + avp_size(len);
}

static uint8_t *put_avp_u32(uint8_t *p, uint32_t code, uint8_t flags, uint32_t value) {
    uint8_t be[4];
    put32(be, value);
    return put_avp(p, code, flags, be, sizeof be);
}

// Finds the Session-Id among the request's AVPs. Returns 0 and points `*sid` into
// the request, or the Result-Code to answer with.
static uint32_t find_session_id(const uint8_t *msg, size_t len, const uint8_t **sid, size_t *sid_len) {
    size_t off = HEADER_LEN;
    while (off < len) {
        if (len - off < 8) return DIAMETER_INVALID_AVP_LENGTH;
        uint32_t code = get32(msg + off);
        uint8_t flags = msg[off + 4];
        size_t avp_len = get24(msg + off + 5);
        size_t header = (flags & AVP_VENDOR) ? 12 : 8;
        if (avp_len < header || avp_len > len - off) return DIAMETER_INVALID_AVP_LENGTH;
        if (code == AVP_SESSION_ID && !(flags & AVP_VENDOR)) {
            *sid = msg + off + header;
            *sid_len = avp_len - header;
            return 0;
        }
        off += pad4(avp_len);
    }
    return DIAMETER_MISSING_AVP;
}

static bool fail(application_handle_error_t *err, uint32_t result_code, const char *message) {
    err->result_code = result_code;
    application_string_dup(&err->message, message);
    return false;
}

// Builds the answer to `req`: same command, application and identifiers, R bit clear.
static application_list_u8_t answer(const uint8_t *req, const uint8_t *sid, size_t sid_len,
                                    const plughss_plugin_config_node_t *node) {
    const char product[] = NAME "/" VERSION;
    size_t product_len = sizeof product - 1;
    size_t len = HEADER_LEN + avp_size(sid_len) + avp_size(4) + avp_size(4) +
                 avp_size(node->origin_host.len) + avp_size(node->origin_realm.len) + avp_size(product_len);
    uint8_t *buf = malloc(len);
    if (buf == NULL) abort();

    memcpy(buf, req, HEADER_LEN); // version, command code, application, hop-by-hop, end-to-end
    put24(buf + 1, (uint32_t)len);
    buf[4] = req[4] & HDR_PROXIABLE; // an answer: R, E and T clear, P as in the request

    uint8_t *p = buf + HEADER_LEN;
    p = put_avp(p, AVP_SESSION_ID, AVP_MANDATORY, sid, sid_len); // first, per RFC 6733 8.8
    p = put_avp_u32(p, AVP_RESULT_CODE, AVP_MANDATORY, DIAMETER_SUCCESS);
    p = put_avp_u32(p, AVP_AUTH_SESSION_STATE, AVP_MANDATORY, NO_STATE_MAINTAINED);
    p = put_avp(p, AVP_ORIGIN_HOST, AVP_MANDATORY, node->origin_host.ptr, node->origin_host.len);
    p = put_avp(p, AVP_ORIGIN_REALM, AVP_MANDATORY, node->origin_realm.ptr, node->origin_realm.len);
    p = put_avp(p, AVP_PRODUCT_NAME, 0, product, product_len); // M must not be set
    return (application_list_u8_t){buf, len};
}

// --- The exports of world `application` ---

void exports_application_describe(application_plugin_info_t *ret) {
    application_string_dup(&ret->name, NAME);
    application_string_dup(&ret->version, VERSION);

    plughss_plugin_types_application_t *s6a = malloc(sizeof *s6a);
    uint32_t *commands = malloc(sizeof *commands);
    if (s6a == NULL || commands == NULL) abort();
    commands[0] = CMD_AUTHENTICATION_INFORMATION;
    s6a->id = APP_S6A;
    s6a->vendor_id = VENDOR_3GPP;
    s6a->commands = (application_list_u32_t){commands, 1};
    ret->applications = (plughss_plugin_types_list_application_t){s6a, 1};

    // No capabilities: config.node-identity needs none.
    ret->capabilities = (plughss_plugin_types_list_capability_t){NULL, 0};
}

bool exports_application_handle(application_list_u8_t *request, application_list_u8_t *ret,
                                 application_handle_error_t *err) {
    const uint8_t *req = request->ptr;
    size_t len = request->len;
    bool ok = false;
    const uint8_t *sid;
    size_t sid_len;
    uint32_t code;

    if (len < HEADER_LEN || req[0] != 1 || get24(req + 1) != len) {
        ok = fail(err, DIAMETER_INVALID_MESSAGE_LENGTH, "bad Diameter header");
    } else if (!(req[4] & HDR_REQUEST) || get24(req + 5) != CMD_AUTHENTICATION_INFORMATION ||
               get32(req + 8) != APP_S6A) {
        ok = fail(err, DIAMETER_COMMAND_UNSUPPORTED, NAME " answers only S6a AIR");
    } else if ((code = find_session_id(req, len, &sid, &sid_len)) != 0) {
        ok = fail(err, code, code == DIAMETER_MISSING_AVP ? "no Session-Id" : "malformed AVP");
    } else {
        plughss_plugin_config_node_t node;
        plughss_plugin_config_node_identity(&node);
        *ret = answer(req, sid, sid_len, &node);
        plughss_plugin_config_node_free(&node);
        ok = true;
    }
    application_list_u8_free(request); // last: `sid` pointed into it
    return ok;
}

bool exports_application_notify(application_subscriber_event_t *event, application_string_t *ret,
                                 application_string_t *err) {
    (void)err;
    application_subscriber_event_free(event);
    application_string_dup(ret, "ignored");
    return true;
}

// The generated bindings reference this symbol to force-link application_component_type.o,
// which regen.sh does not make (--no-object-file): the component type is embedded from
// wit/ when the core module becomes a component. An empty definition satisfies it.
void __component_type_object_force_link_application(void) {}
