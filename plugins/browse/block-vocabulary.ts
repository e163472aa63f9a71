/**
 * The words by which page chrome names itself, in class/id attributes (which are mostly English whatever the
 * page's language) and in its visible labels (in the page's language: English, German, French, Spanish,
 * Italian, Portuguese, Dutch, Polish, Russian, Chinese, Arabic). Each list names one kind of block.
 */

/** class/id tokens, matched at a token start (`share-bar`, `post_sharing`, `socialIcons`). */
export const ATTRIBUTE_WORDS = {
  credit: /(?:^|[\s_-])(?:image-?credit|photo-?credit|media-?credit|credit|copyright|bildnachweis|fotonachweis)/i,
  byline: /(?:^|[\s_-])(?:byline|author|autor|auteur|writer|dateline)/i,
  dateline:
    /(?:^|[\s_-])(?:date|datum|time|timestamp|posted-?on|published|pubdate|updated|entry-meta|post-meta|article-meta|meta-?data|metabar|publish)/i,
  tags: /(?:^|[\s_-])(?:tags?(?:$|[\s_-])|tag-?(?:list|cloud|links)|tagcloud|keywords|schlagw|schlagwort|etiquet|mots-?cl|post-?categor|categories|cat-links|topics)/i,
  share:
    /(?:^|[\s_-])(?:share|sharing|social|sociable|addthis|sharethis|shariff|sharedaddy|print-?(?:this|page)|email-?this)/i,
  newsletter: /(?:^|[\s_-])(?:newsletter|subscribe|subscription|signup|sign-up|mailchimp|abonn)/i,
  comments:
    /(?:^|[\s_-])(?:comments?(?:$|[\s_-])|comment-?(?:list|form|policy|respond|area|section)|disqus|respond|reply-?form|leave-?a-?reply)/i,
  related:
    /(?:^|[\s_-])(?:related|more-?(?:stories|articles|news|from|posts)|recommend|also-?read|read-?more|read-?also|further-?reading|popular|trending|most-?read|outbrain|taboola|teaser-?list|cross-?sell(?:ing)?|up-?sell(?:ing)?|also-?bought|recently-?viewed|yarpp|jp-relatedposts)/i,
  /** A trail of links to the page's sections above it (`breadcrumb`, `breadcrumbs`, `breadcrumb-navigation`). */
  breadcrumb: /(?:^|[\s_-])breadcrumbs?(?:$|[\s_-])/i,
  navigation: /(?:^|[\s_-])(?:breadcrumbs?|pagination|pager|post-?nav|nav-?links|skip-?link|site-?nav|menu)/i,
  rating: /(?:^|[\s_-])(?:ratings?|rate-?this|star-?rating|stars-?rating|bewertung|voting|votes?)(?:$|[\s_-])/i,
  'post-footer':
    /(?:^|[\s_-])(?:postmetadata|post-?meta-?data|entry-?utility|entry-?footer|post-?footer|post-?info|postinfo|article-?footer)(?:$|[\s_-])/i,
  /**
   * Cookie and consent notices of the site or its consent-management platform, and the placeholders privacy
   * plugins show instead of an embedded post until the reader consents.
   */
  consent:
    /(?:^|[\s_-])(?:cookies?(?:$|[\s_-])|cookie-?(?:law|notice|banner|bar|consent|policy)|consent|gdpr|cmp(?:$|[\s_-])|usercentrics|onetrust|didomi|cookiebot|cc-(?:window|banner)|privacy-embed|embed-?placeholder|content-?blocker|brlbs|borlabs|third-party-services)/i,
  /**
   * A box about the author under the article (a short biography, links to their profiles); `saboxplugin-wrap` and
   * `abh_box` are the boxes of two WordPress author-box plugins (Simple Author Box, Starbox).
   */
  authorBio:
    /(?:^|[\s_-])(?:author-?(?:bio|info|box|description|details|profile|about)|about-?(?:the-?)?author|autorenbox|autoren-?info|autor-?(?:info|box)|bio-?box|saboxplugin-wrap|abh_box)/i,
  /** The sidebar of a blog or CMS theme, and the widgets in it (whole class/id tokens: `elementor-widget` is content). */
  sidebar: /(?:^|\s)(?:sidebar[\w-]*|[\w-]*-sidebar|widget-area|widget|widget_[\w-]+)(?:$|\s)/i,
  /** A teaser: a card that previews another article (`teaser`, `sz-teaser`, `post_teaser`, `teaser__title`). */
  teaser: /(?:^|[\s_-])teaser/i,
  /** A picture's caption: `figcaption`-like names in English, German (`bildunterschrift`), French, Italian (`didascalia`). */
  caption:
    /(?:^|[\s_-])(?:[a-z]*caption|bildunterschrift|bildtext|legende|didascalia|dida(?:$|[\s_-])|image-?desc|imagedescription|img-?desc|photo-?desc)/i,
  /** A disclosure or disclaimer box: affiliate links, advertising, the publisher's liability. */
  disclaimer:
    /(?:^|[\s_-])(?:disclaimer|disclosure|affiliate-?(?:text|note|notice|hint|disclosure|info)|ad-?disclosure|haftungsausschluss|werbehinweis|sponsored-?(?:note|notice|by))(?:$|[\s_-])/i,
  /** A reading-time widget ("5 min read", "Lesezeit 3 Minuten"). */
  readingTime: /(?:^|[\s_-])(?:reading-?time|read-?time|time-?to-?read|lesezeit|lesedauer|temps-?de-?lecture)/i,
  /** Cards previewing another page. */
  embed: /(?:^|[\s_-])(?:wp-embedded-content|embedly-card|reddit-card)/i,
};

const months =
  'jan(?:uary|uar|vier)?|feb(?:ruary|ruar)?|fév(?:rier)?|mar(?:ch|s)?|mär(?:z)?|apr(?:il)?|avr(?:il)?|may|mai|mei|jun(?:e|i)?|juin|jul(?:y|i)?|juil(?:let)?|aug(?:ust)?|aoû(?:t)?|sep(?:tember|t|tembre)?|oct(?:ober|obre)?|okt(?:ober)?|nov(?:ember|embre)?|dec(?:ember)?|dez(?:ember)?|déc(?:embre)?|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|novembro|dezembro|stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada|grudnia';
const weekdays =
  'mon(?:day)?|tue(?:sday)?|wed(?:nesday)?|thu(?:rsday)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo';
const dateLabels =
  'posted|published|updated|last updated|modified|on|at|am|um|uhr|le|el|il|em|de|del|à|veröffentlicht|publiziert|erschienen|aktualisiert|zuletzt|erstellt|publié|mis à jour|publicado|actualizado|pubblicato|aggiornato|opublikowano|gepubliceerd|bijgewerkt|stand|date|datum|fecha|data|h|min|ago|vor|stunden?|minuten?|hours?|minutes?|days?|tagen?|il y a|hace|fa';

/** The words of a date line: months, weekdays, labels such as "Published", "Veröffentlicht am", "Publié le". */
export const DATE_WORDS = new RegExp(`(?<!\\p{L})(?:${months}|${weekdays}|${dateLabels})(?!\\p{L})\\.?`, 'giu');

/** A byline: "By Jane Doe", "Von Max Muster", "Par ...", "Por ...", "Di ...", "Door ...", "Przez ...", "Автор". */
export const BYLINE_START =
  /^(?:[Bb]y|BY|[Vv]on|VON|[Pp]ar|[Pp]or|[Dd]i|[Dd]oor|[Aa]v|[Pp]rzez|[Aa]втор|[Ww]ritten by|[Gg]eschrieben von|[Tt]exte?:|[Aa]utor(?:in)?:|[Aa]uthor:|[Aa]uteur:|[Rr]edaktion:|作者|بقلم)\s+\p{Lu}/u;

/**
 * A picture's credit line: "Photo: AP", "Image: Jane Doe / Agency", "Foto: dpa", "Crédit : AFP", "Crédits photos :
 * Bestimage", "Titelbild: Jane Roe", "Bildquelle: dpa", "Źródło: PAP".
 */
export const CREDIT_START =
  /^\(?(?:photos?|images?|pictures?|fotos?|bild|titelbild|titelfoto|bildquelle|fotoquelle|crédits?|credits?|créditos?|source|quelle|fuente|fonte|zdjęci[ea]|źródło|fot\.?)\s*(?:credits?|photos?|images?|fotos?)?\s*:\s*\S.{0,80}$/iu;

/** Visible labels of rating prompts, share, newsletter, comment-policy and "related"/"more" blocks. */
export const LABEL_WORDS = {
  rating:
    /^(?:was this (?:article|post|page|answer) (?:helpful|useful)|rate this|how (?:useful|helpful) was|did you (?:like|enjoy) this|war (?:der|dieser|das) (?:artikel|beitrag|text|seite) (?:hilfreich|nützlich)|wie (?:hat|gefällt) (?:ihnen|dir)|bewerten sie|bewerte diesen|cet article vous a-t-il|cet article vous a plu|¿(?:te|le) ha (?:resultado|sido) útil|questo articolo ti è stato utile|czy ten artykuł był)/iu,
  share:
    /^(?:share(?: this| on| article| via)?|teilen|diesen artikel teilen|artikel teilen|partager|partagez|compartir|comparte|condividi|partilhar|compartilhe|delen|udostępnij|поделиться|分享|مشاركة|tweet|follow us|folgen sie uns|suivez-nous|síguenos)(?!\p{L})|^.{0,60}(?:teilen|share|partager|compartir|condividi|delen)\s*[?!:]?$/iu,
  newsletter:
    /(?:newsletter|subscribe to|sign up for|sign up to|abonnieren|abonnez-vous|inscrivez-vous|suscríbete|iscriviti|assine|zapisz się|subskrybuj|подписаться|订阅|اشترك)/iu,
  commentPolicy:
    /(?:comment policy|leave a (?:comment|reply)|post a comment|your email address will not be published|kommentare? (?:zu )?(?:schreiben|verfassen)|keine kommentare|^(?:\d+\s+)?kommentare(?:\s*\(\d+\))?$|schreiben sie einen kommentar|(?:you )?must (?:be )?(?:logged in|log in|sign in|signed in|registered) to (?:post a |leave a |write a )?(?:comment|reply)|(?:sie müssen|du musst) (?:sich|dich) (?:anmelden|einloggen|registrieren),? um|(?:sie müssen|du musst) (?:angemeldet|eingeloggt) sein,? um|vous devez être (?:connecté|inscrit)|debes (?:haber iniciado sesión|iniciar sesión|estar registrado)|devi (?:essere (?:loggato|registrato|connesso)|effettuare il login)|musisz (?:być zalogowany|się zalogować)|^(?:jetzt )?kommentieren$|^(?:add|write) a comment$|laisser un commentaire|votre adresse (?:e-)?mail ne sera pas publiée|deja un comentario|lascia un commento|deixe um comentário|dodaj komentarz|comments are closed|kommentare sind geschlossen|no comments yet)/iu,
  /** The label of a line of filing details: "Category: News", "Aufrufe: 512", "Lesezeit: 3 Minuten". */
  metaLine:
    /^(?:categor(?:y|ies)|kategorie(?:n)?|catégories?|categorías?|categori[ae]|kategori[ae]|rubrik|rubrique|sección|views|hits|reads|aufrufe|zugriffe|gelesen|vues|visitas|visite|wyświetle[nń]|filed under|posted in|veröffentlicht in|abgelegt unter|classé dans|publicado en|pubblicato in|reading time|read time|lesezeit|lesedauer|temps de lecture|tiempo de lectura|tempo di lettura|czas czytania|comments|kommentare(?: insgesamt)?|commentaires|comentarios|commenti|komentarze)\s*[:：]|^(?:permalink|permalien|enlace permanente|link permanente|kurzlink|short ?link)\s*:?\s*https?:\/\/\S+$/iu,
  /**
   * The publisher's disclaimers: affiliate links and advertising, opinions that are not the publisher's, the
   * site not answering for what others post, reprint, licence and citation notices, and where the text first
   * appeared ("Dieser Beitrag stammt aus Ausgabe 7/2019").
   */
  disclaimer:
    /(?:^(?:editorial |advertiser |legal )?(?:disclaimer|disclosure|haftungsausschluss|avertissement|aviso legal|descargo de responsabilidad)\s*:|advertising disclosure|(?:this|the) (?:post|article|page) (?:may )?contains? (?:affiliate|references to products|sponsored)|we may (?:receive|earn) (?:a )?(?:compensation|commission)|(?:contains|uses) affiliate links|is not responsible for the (?:opinions|content|views)|do(?:es)? not necessarily (?:reflect|represent) the (?:views|opinions)|copyrighted property of|permission must be obtained|may not be (?:reproduced|republished)|gibt die meinung de[rs] \p{L}+ wieder|(?:is|are) (?:published |licensed |available )?under (?:a |the )?(?:creative commons|cc[ -]by)|(?:wurde|ist|wird) (?:veröffentlicht )?unter (?:der|einer) (?:creative-commons-)?lizenz|steht unter (?:der|einer) (?:creative-commons-)?lizenz|(?:publié|diffusé) sous (?:la )?licence|(?:publicado|distribuido) bajo (?:una |la )?licencia|^(?:suggested citation|recommended citation|zitiervorschlag|zitierhinweis|zitierweise|cite (?:this|as)|pour citer (?:cet article|ce document)|cómo citar(?: este artículo)?)(?!\p{L})|(?:dieser|der) (?:beitrag|artikel|text) (?:stammt aus|erschien (?:zuerst |ursprünglich )?in) (?:der )?(?:ausgabe|heft|print)|(?:this|the) (?:article|story|piece|post) (?:first |originally )?appeared in (?:the )?(?:print|issue|magazine|\S+ (?:edition|issue))|a version of this (?:article|story) appear(?:s|ed) in print|cet article est paru dans|este artículo (?:fue publicado|apareció) (?:originalmente )?en (?:la edición|el número)|(?:dieser|der) (?:beitrag|artikel|text) enthält (?:werbung|affiliate|provisionslinks)|provisionslinks?|affiliate-links?|(?:geld|eine provision) erhalten wir|n'engage que son auteur|no (?:se hace|nos hacemos) responsable|non rappresenta(?:no)? (?:necessariamente )?(?:l'opinione|il pensiero))/iu,
  /**
   * The whole label of a page control that shows, hides or loads content ("Show more", "Bild anzeigen",
   * "Quellen ausblenden", "Lade weitere Inhalte", "Voir plus"): what a button says, not what the article says.
   */
  control:
    /^(?:(?:show|hide|load|view|see) (?:more|less|all|fewer)(?: \p{L}+)?|(?:show|hide|view) (?:the )?(?:image|picture|photo|sources|comments|replies|details)s?|(?:mehr|weniger|alle|bild|bilder|foto|fotos|quellen|kommentare|details) (?:anzeigen|ausblenden|einblenden|laden)|(?:lade|weitere) (?:weitere|mehr)? ?(?:inhalte|artikel|beiträge|kommentare)(?: laden)?|mehr laden|afficher (?:plus|moins|tout|les commentaires)|voir (?:plus|moins|tout)|charger plus|(?:ver|mostrar|cargar) (?:más|menos|todo)|mostra (?:altro|di più|meno|tutto)|carica (?:altri|altro)|pokaż (?:więcej|mniej|wszystko)|załaduj więcej|toon (?:meer|minder)|meer laden)\s*[.…]*$/iu,
  /**
   * The whole label of a link to another article at the end of its teaser ("Read more", "Weiterlesen", "mehr •••",
   * "Czytaj więcej", "Lire la suite"), with the arrows and dots that decorate it.
   */
  readMore:
    /^(?:read (?:more|on|the (?:full|whole) (?:story|article|post))|continue reading|more|weiterlesen|mehr(?: lesen| erfahren| dazu)?|zum (?:artikel|beitrag)|lire la suite|(?:en )?savoir plus|leer más|seguir leyendo|leia mais|continua(?:r)? (?:a )?(?:leggere|lendo)|leggi (?:tutto|di più|l'articolo)|czytaj (?:więcej|dalej)|lees (?:meer|verder)|читать (?:далее|дальше)|подробнее|阅读更多|اقرأ المزيد)[\s.…:»›>•→]*$/iu,
  /**
   * A line pointing at another page for more on the subject: "Mehr zu dem Umbau lesen Sie hier:", "Alles über X
   * findest du hier", "Read more about X here", "Pour en savoir plus, cliquez ici". (Not any "finden Sie hier":
   * "Fotos zum Download finden Sie hier" is a press release's own note.)
   */
  pointer:
    /(?:(?:mehr|alles|weiteres) (?:zu|zum|zur|über|dazu|darüber)(?!\p{L}).{0,80}?(?:(?:lesen|finden|erfahren) sie|(?:liest|findest|erfährst) du) hier|(?:read|find out|learn) more (?:about .{1,60} )?here|pour en savoir plus(?: sur .{1,60})?, (?:cliquez|rendez-vous)|(?:lea|lee|encuentre|encuentra) más (?:sobre .{1,60} )?aquí|(?:leggi|scopri) di più (?:su .{1,60} )?qui)(?!\p{L})/iu,
  /** The label of a box about the author: "About the author", "Über den Autor", "À propos de l'auteur". */
  authorBox:
    /^(?:about the author|about the writer|über (?:den autor|die autorin|die autoren)|zu[mr] (?:autor|autorin)|à propos de l'auteur(?:e)?|sobre (?:el|la) autor(?:a)?|sull'autore|l'autore|o autorze|over de (?:auteur|schrijver)|об авторе)\s*:?$/iu,
  /** The label of a "read also" line that links to another article ("Lea también: ...", "Lesen Sie auch: ..."). */
  readAlso:
    /^(?:read (?:also|more|next)|see also|also read|lesen sie (?:auch|mehr)|auch lesen|mehr dazu|mehr zum thema|schon gelesen|lire aussi|à lire (?:aussi|également)|voir aussi|lea (?:también|más)|lee (?:también|más)|lea|vea también|le puede interesar|te puede interesar|puedes ver|mira|leia (?:também|mais)|veja também|leggi anche|czytaj (?:też|także|więcej)|zobacz (?:też|także|również)|lees ook|читайте также|اقرأ أيضا)\s*[:：?»>–—-]/iu,
  /** The publisher's prompts to the reader: subscribe or log in to read on, download the app, join a channel, donate. */
  readerPrompt:
    /(?:already a subscriber|subscribe now|subscribers? (?:also )?(?:get|receive)|subscribe to (?:our|the) .{0,40}(?:edition|newsletter|channel)|for the full story|to (?:continue|keep) reading|download (?:the|our) .{0,40}apps?(?!\p{L})|(?:join|follow) (?:us|our) .{0,30}(?:telegram|whatsapp)|support (?:our|independent) journalism|become a (?:member|patron|subscriber)|if you (?:enjoyed|liked) (?:reading )?this|(?:do you )?want to (?:be|stay|keep) (?:informed|updated|up to date|in the loop) (?:of|about|on)|(?:news|headlines|updates) (?:straight|directly|right) to your (?:phone|inbox|device)|(?:wollen|möchten) sie (?:immer )?(?:informiert|auf dem laufenden) (?:sein|bleiben|werden)|(?:willst|möchtest) du (?:immer )?(?:informiert|auf dem laufenden) (?:sein|bleiben|werden)|submit your letter|jetzt abonnieren|(?:schon|bereits) abonnent|abonnent(?:in)? werden|artikel (?:weiter|vollständig) (?:zu )?lesen|weiterlesen mit|ihr beitrag hilft|unterstützen sie (?:uns|unsere)|jetzt spenden|laden sie (?:unsere|die) .{0,30}app|pour lire la suite|déjà abonné|articles gratuits|soutenez(?:-nous| notre)|téléchargez (?:notre|l'application)|(?:únete|suscríbete) (?:a|desde|en) |tenemos canal de|para seguir leyendo|ya eres suscriptor|descarga (?:nuestra|la) app|per continuare a leggere|sei già abbonato|abbonati ora|para continuar lendo|já é assinante|assine (?:já|agora)|zapraszamy (?:też )?do subskrypcji|wesprzyj nas|pobierz aplikację|word abonnee|al abonnee)/iu,
  related:
    /^(?:related(?: articles| stories| posts| content| news| products)?|kunden kauften auch|kunden, die .{1,40} kauften|customers (?:who bought .{1,40} )?also (?:bought|viewed)|(?:zuletzt angesehen|recently viewed)(?: products| produkte| artikel)?|ähnliche produkte|similar (?:products|items)|les clients ont (?:également|aussi) acheté|los clientes también (?:compraron|vieron)|latest (?:news|posts|articles|stories)|recent (?:posts|articles)|top stories|weitere (?:\p{L}+-?)?(?:artikel|beiträge|nachrichten|news|themen|meldungen|tipps|videos|geschichten)|beiträge zum thema|artikel zum thema|neueste (?:artikel|beiträge|nachrichten)|aktuelle (?:artikel|beiträge|nachrichten)|top-themen|kommentierte artikel|meistkommentiert|(?:articles|vidéos|photos|audios)(?: et \p{L}+)? sur le (?:même )?sujet|dans la même rubrique|les plus (?:lus|partagés|commentés)|à la une|noticias relacionadas|más noticias|lo más (?:visto|leído)|últimas noticias|notizie correlate|ultime notizie|più lett[ie]|najnowsze|najczęściej czytane|powiązane|meer nieuws|laatste nieuws|more (?:from|on|about|stories|articles|news)|read (?:more|also|next)|you (?:may|might) also like|recommended(?: for you)?|see also|popular|most read|trending|weitere artikel|mehr zum thema|mehr aus|das könnte sie auch interessieren|lesen sie auch|schon gelesen|auch interessant|ähnliche artikel|verwandte artikel|meist ?gelesen(?:e|en)?(?: artikel| beiträge| nachrichten)?|à lire aussi|lire aussi|sur le même sujet|voir aussi|articles similaires|les plus lus|artículos relacionados|te puede interesar|lee también|leer más|más leídas|leia também|veja também|mais lidas|leggi anche|potrebbe interessarti|articoli correlati|gerelateerd|lees ook|przeczytaj też|zobacz też|czytaj także|polecane|читайте также|похожие|相关|推荐|اقرأ أيضا|ذات صلة)(?!\p{L})/iu,
};
