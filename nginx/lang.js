// The language of nginx's own refusals, chosen by the rule the workers
// follow (http_prefers_english in fcgi/http.c): of the languages served,
// English and Vietnamese, the one Accept-Language weighs higher (q, default
// 1; a tie goes to the one listed first); Vietnamese when neither is asked.
function pick(r) {
    var al = r.headersIn['Accept-Language'] || '';
    var best = 0, lang = 'vi';
    al.split(',').forEach(function (part) {
        var semi = part.indexOf(';');
        var tag = (semi < 0 ? part : part.slice(0, semi)).trim().toLowerCase();
        var params = semi < 0 ? '' : part.slice(semi);
        var q = 1;
        // as the workers read it: the first "q=" (or "Q="), a number after
        // it, 0 when none can be read
        var at = params.search(/[qQ]=/);
        if (at >= 0) {
            q = parseFloat(params.slice(at + 2));
            if (isNaN(q))
                q = 0;
        }
        var en = tag === 'en' || tag.startsWith('en-');
        var vi = tag === 'vi' || tag.startsWith('vi-');
        if (!(en || vi) || q <= best)
            return;
        best = q;
        lang = en ? 'en' : 'vi';
    });
    return lang;
}

export default { pick };
