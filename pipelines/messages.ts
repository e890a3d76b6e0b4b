/**
 * Every warning and report caveat, with a stable id. Logs print the id; reports print the Swedish text.
 * Add new entries at the end of their group; never reuse or renumber an id.
 */
export const MESSAGES = {
  // Sources and ingest
  W101_RETRY: { sv: 'Källan svarade med fel; nytt försök görs.', en: 'Source answered with an error; retrying.' },
  W102_THROTTLED: { sv: 'Källan begränsade anropstakten (429).', en: 'Source throttled the call rate (429).' },
  W103_SPLIT_REQUEST: { sv: 'Uttaget delades för att hålla cellgränsen.', en: 'Request split to stay under the cell limit.' },
  W104_OFFLINE_CACHE: { sv: 'Svar lästes från den lokala cachen (offline).', en: 'Response read from the local cache (offline).' },
  W105_UNCONFIRMED_SOURCE: {
    sv: 'Källans tabell-id eller koder är inte bekräftade mot något svar från SCB; kontrollera dem mot SCB:s API.',
    en: 'The source\'s table id or codes are not confirmed by any response from SCB; check them against SCB\'s API.',
  },
  W106_NEWER_YEARS: { sv: 'Källan publicerar år som katalogen ännu inte väntar sig; de hämtas också.', en: 'The source publishes years the catalogue does not expect yet; they are fetched too.' },
  W108_SOURCE_CHECK: { sv: 'Kontrollen av källkatalogen mot SCB:s metadata gav en varning.', en: 'The check of the source catalogue against SCB\'s metadata gave a warning.' },
  W107_YEARS_NOT_PUBLISHED: { sv: 'Källan publicerar ännu inte alla år som katalogen väntar sig; de saknas.', en: 'The source does not yet publish every year the catalogue expects; those years are missing.' },
  // Data and statistics
  W201_MISSING_VALUES: {
    sv: 'Värden som saknas i källan, eller som källan inte publicerar av sekretesskäl, visas som saknade och räknas aldrig som noll.',
    en: 'Values missing at source, or withheld by the source for confidentiality, are shown as missing and never counted as zero.',
  },
  W202_CELL_KEY_NOISE: {
    sv: 'Från referensår 2025 publicerar SCB befolkningsstatistiken med cellnyckelmetoden: varje tal har fått en liten slumpmässig avvikelse, så delar behöver inte summera exakt till totalen. Där SCB publicerar en total används den. Där bara delar publiceras är värdet summan av delarna och kan avvika något från den total SCB skulle ha publicerat.',
    en: 'From reference year 2025 SCB publishes population statistics with the cell-key method: every figure carries a small random deviation, so parts need not sum exactly to the total. Where SCB publishes a total it is used; where only parts are published the value is their sum and may differ slightly from the total SCB would have published.',
  },
  W203_AREA_VERSION_BREAK: {
    sv: 'DeSO och RegSO reviderades 2025: till och med 2023 redovisas värdena över DeSO 2018 och RegSO 2020, från 2024 över DeSO 2025 och RegSO 2025. Värdena räknas inte om till en gemensam indelning, så en förändring över bytet kan delvis bero på den nya indelningen och bedöms bara med stöd av åren före bytet.',
    en: 'DeSO and RegSO were revised in 2025: up to 2023 values are over DeSO 2018 and RegSO 2020, from 2024 over DeSO 2025 and RegSO 2025. Values are not recomputed to one common division, so a change across the break may partly come from the new areas and is judged only with support from the years before it.',
  },
  W204_SUPPRESSED: {
    sv: 'Värden som vilar på färre personer än röjandegränsen redovisas inte; de markeras som skyddade.',
    en: 'Values resting on fewer persons than the disclosure threshold are suppressed (and marked).',
  },
  W205_LAGGED_YEAR: { sv: 'Senaste tillgängliga år är äldre än rapportåret.', en: 'Latest available year is older than the report year.' },
  W207_EDUCATION_AGE_BAND: {
    sv: 'Utbildningsnivån redovisas för 25–64 år till och med 2023 och för 25–65 år från 2024 (SCB bytte tabell); serien har ett brott mellan 2023 och 2024.',
    en: 'Education level covers ages 25–64 up to 2023 and 25–65 from 2024 (SCB changed table); the series breaks between 2023 and 2024.',
  },
  W208_SUM_OF_PARTS: {
    sv: 'Där källan inte publicerar en total används summan av de publicerade delarna. Från 2025 bär varje del en liten slumpmässig avvikelse (cellnyckelmetoden), så summan kan avvika något från en total.',
    en: 'Where the source publishes no total, the sum of published parts is used; from 2025 it may differ slightly from a published total because of cell-key noise.',
  },
  W206_SMALL_UNIT_BIAS: {
    sv: 'Segregationsindex över små områden blir högre även vid slumpmässig fördelning; förväntat värde vid slumpmässig fördelning redovisas bredvid.',
    en: 'Segregation indices over small units are inflated even under random allocation; the expected value is shown alongside.',
  },
  W209_NUMERATOR_FROM_PERCENT: {
    sv: 'SCB redovisar måttet bara som andel med en decimal. Antalet har räknats fram som andelen gånger det publicerade antalet personer i samma befolkning (ur en annan tabell) och är därför ungefärligt; populationerna kan skilja sig något mellan tabellerna.',
    en: 'SCB publishes only a percent with one decimal; the count is recovered as percent × the published number of persons in the same population (from another table), so it is approximate, and the two tables\' populations may differ slightly.',
  },
  W210_MEDIAN_NOT_ADDITIVE: {
    sv: 'En median kan inte läggas samman eller vägas ihop: varje nivå visar medianen så som SCB beräknar den för just det området, och högre nivåer räknas aldrig fram ur lägre.',
    en: 'A median cannot be added up or averaged: each level shows the median as SCB computes it for that area, and higher levels are never derived from lower ones.',
  },
  W211_AREA_INDEX_COMPONENT: {
    sv: 'Indikatorn är en av de tre delarna i SCB:s socioekonomiska index (V1–V3) och redovisas bara per RegSO. Befolkningen följer indexets definition (V1 alla åldrar, V2 och V3 20–64 år) och skiljer sig från närliggande indikatorer ur andra tabeller.',
    en: 'One of the three components of SCB\'s socio-economic index (V1–V3), published per RegSO only; its population follows the index (V1 all ages, V2 and V3 ages 20–64) and differs from related indicators from other tables.',
  },
  W212_ASSISTANCE_DEFINITION: {
    sv: 'Avser personer 20–64 år med ekonomiskt bistånd minst tio månader under året enligt SCB:s integrationsstatistik; det är inte samma mått som Socialstyrelsens statistik över biståndsmottagare eller hushåll.',
    en: 'Persons aged 20–64 with economic assistance for at least ten months of the year, per SCB\'s integration statistics; not the same measure as Socialstyrelsen\'s statistics of recipients or households.',
  },
  W213_KOLADA_SECOND_SOURCE: {
    sv: 'Samma mått som från SCB men hämtat ur Kolada (avrundat till en decimal); små skillnader mot SCB:s värde beror på avrundning och på olika underlag.',
    en: 'The same measure as from SCB, taken from Kolada (rounded to one decimal); small differences from SCB\'s value come from rounding and different bases.',
  },
  W214_AREA_TYPES_RELATIVE: {
    sv: 'Områdestyperna är relativa: varje år delas RegSO in efter hur många standardavvikelser deras socioekonomiska index ligger från årets medelvärde. Ett område kan byta typ för att andra områden förändras, och antalet områden per typ visar inte i sig om segregationen har ökat. Från 2024 avser typerna RegSO 2025.',
    en: 'Area types are relative: each year RegSO are classified by how many standard deviations their socio-economic index lies from that year\'s mean. An area can change type because others change, and the number of areas per type does not by itself show whether segregation has grown. From 2024 the types refer to RegSO 2025.',
  },
  W215_AREA_TYPE_UNCLASSIFIED: {
    sv: 'RegSO där någon av indexets tre delar saknas eller är skyddad får ingen områdestyp och ingår inte i medelvärdet eller standardavvikelsen.',
    en: 'RegSO with any of the three index components missing or protected get no area type and are left out of the mean and standard deviation.',
  },
  W216_BY_AREA_TYPE_SUMS: {
    sv: 'Värden per områdestyp räknas fram ur summan av täljare och nämnare för typens RegSO, aldrig som medelvärde av andelar. RegSO vars värde saknas eller är skyddat ingår inte, och värden som vilar på färre personer än röjandegränsen redovisas inte.',
    en: 'Values by area type are computed from the summed numerators and denominators of the type\'s RegSO, never as an average of shares. RegSO whose value is missing or protected are left out, and values resting on fewer persons than the disclosure threshold are suppressed.',
  },
  W217_DERIVED_FROM_DESO: {
    sv: 'SCB publicerar tabellen bara per DeSO och RegSO. Värden för kommun, län och riket är summor av kommunens DeSO (SCB tillåter summering); saknas en DeSO saknas summan. Från 2025 bär varje DeSO-värde cellnyckelbrus, så summan kan avvika något från en total SCB skulle publicera.',
    en: 'SCB publishes the table per DeSO and RegSO only. Kommun, län and riket values are sums of their DeSO (SCB allows aggregation); one DeSO missing makes the sum missing. From 2025 each DeSO value carries cell-key noise, so the sum may differ slightly from a total SCB would publish.',
  },
  W218_SOURCE_BY_LEVEL: {
    sv: 'Ingen källa publicerar måttet på alla nivåer: DeSO och RegSO kommer ur SCB:s registerstatistik, kommun, län och riket ur Kolada. Definitionerna är desamma men underlagen och avrundningen kan skilja något.',
    en: 'No source publishes the measure at every level: DeSO and RegSO come from SCB\'s register statistics, kommun, län and riket from Kolada. The definitions agree but bases and rounding may differ slightly.',
  },
  W219_REGISTER_CHANGE_BAS: {
    sv: 'SCB:s sysselsättningsstatistik bytte register från RAMS till BAS (referensår 2019–2020). Per DeSO och RegSO finns BAS från 2020; serien före och efter bytet är inte helt jämförbar.',
    en: 'SCB\'s employment statistics moved from the RAMS to the BAS register (reference years 2019–2020). Per DeSO and RegSO BAS starts in 2020; the series before and after the change is not fully comparable.',
  },
  W220_NOT_PUBLISHED_HIGHER_LEVELS: {
    sv: 'Måttet publiceras bara för små områden (DeSO/RegSO) och får inte summeras; katalogen har ingen källa för kommun, län och riket.',
    en: 'The measure is published for small areas (DeSO/RegSO) only and may not be summed; the catalogue has no source for kommun, län and riket.',
  },
  W221_CONSTANT_PRICES: {
    sv: 'Beloppen är i fasta priser för SCB:s senaste år (hela serien räknas om varje år när ett nytt år publiceras).',
    en: 'Amounts are in constant prices of SCB\'s latest year (the whole series is recomputed each year when a new year is published).',
  },
  W222_WHOLE_PERCENT: {
    sv: 'SCB publicerar andelen i hela procent; antal som räknas fram ur den är ungefärliga (upp till en halv procentenhet av befolkningen).',
    en: 'SCB publishes the share in whole percent; counts recovered from it are approximate (up to half a percentage point of the population).',
  },
  W223_WEIGHTED_FROM_KOMMUN: {
    sv: 'Kolada publicerar måttet bara per kommun. Värdet för län och riket är kommunernas värden vägda med deras folkmängd (samma som måttet över alla invånare, bortsett från avrundningen av kommunvärdena); saknas en kommun saknas värdet.',
    en: 'Kolada publishes the measure per kommun only. The län and riket values are the kommuner\'s values weighted by their population (the measure over all inhabitants, up to the rounding of the kommun values); one kommun missing makes the value missing.',
  },
  W224_AREA_TYPES_DIFFER_FROM_SCB: {
    sv: 'Områdestyperna skiljer sig från de typer SCB publicerar för fler än var tjugonde RegSO och år; kontrollera metoden mot SCB:s.',
    en: 'The area types differ from the types SCB publishes for more than one RegSO-year in twenty; check the method against SCB\'s.',
  },
  W225_STALE_ACCEPTED: {
    sv: 'Några indikatorer har äldre uppgifter än publiceringsfördröjningen låter vänta; förseningen är känd och rapporten bygger på senaste tillgängliga år:',
    en: 'Some indicators have older data than their publication lag leads one to expect; the delay is known and the report uses the latest year available:',
  },
  // Reports
  W301_DEMO_DATA: { sv: 'Demodata – syntetiska uppgifter', en: 'Demo data – synthetic figures' },
  W302_BACKGROUND_NOT_BIRTH: {
    sv: 'Måttet avser utländsk bakgrund (utrikes född eller båda föräldrarna utrikes födda), som SCB redovisar per DeSO.',
    en: 'The measure is foreign background (foreign-born or both parents foreign-born), which SCB publishes per DeSO.',
  },
} as const;

export type MessageId = keyof typeof MESSAGES;

export function message(id: MessageId, lang: 'sv' | 'en' = 'sv'): string {
  return MESSAGES[id][lang];
}
