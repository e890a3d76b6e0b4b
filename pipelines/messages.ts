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
  // Data and statistics
  W201_MISSING_VALUES: { sv: 'Värden saknas eller är skyddade i källan och visas som saknade.', en: 'Values missing or protected at source are kept missing.' },
  W202_CELL_KEY_NOISE: {
    sv: 'Från referensår 2025 skyddar SCB befolkningsstatistiken med cellnyckelmetoden: små slumpmässiga avvikelser gör att delar inte behöver summera till totalen. Totaler återskapas därför aldrig ur delar.',
    en: 'From reference year 2025 SCB protects population statistics with the cell-key method; parts need not sum to totals, so totals are never rebuilt from parts.',
  },
  W203_AREA_VERSION_BREAK: {
    sv: 'DeSO reviderades 2025 (DeSO 2018 → DeSO 2025). Jämförelser över brottet går via SCB:s nyckel med befolkningsvikter.',
    en: 'DeSO was revised in 2025 (DeSO 2018 → DeSO 2025); comparisons across the break go through the crosswalk with population weights.',
  },
  W204_SUPPRESSED: {
    sv: 'Värden som vilar på färre personer än röjandegränsen redovisas inte (markeras som skyddade).',
    en: 'Values resting on fewer persons than the disclosure threshold are suppressed (and marked).',
  },
  W205_LAGGED_YEAR: { sv: 'Senaste tillgängliga år är äldre än rapportåret.', en: 'Latest available year is older than the report year.' },
  W207_EDUCATION_AGE_BAND: {
    sv: 'Utbildningsnivån redovisas för 25–64 år till och med 2023 och för 25–65 år från 2024 (SCB bytte tabell); serien har ett brott mellan 2023 och 2024.',
    en: 'Education level covers ages 25–64 up to 2023 and 25–65 from 2024 (SCB changed table); the series breaks between 2023 and 2024.',
  },
  W208_SUM_OF_PARTS: {
    sv: 'Där källan inte publicerar en total används summan av publicerade delar; från 2025 kan den avvika något från en publicerad total på grund av cellnyckelmetoden.',
    en: 'Where the source publishes no total, the sum of published parts is used; from 2025 it may differ slightly from a published total because of cell-key noise.',
  },
  W206_SMALL_UNIT_BIAS: {
    sv: 'Segregationsindex över små områden blir högre även vid slumpmässig fördelning; förväntat värde vid slumpmässig fördelning redovisas bredvid.',
    en: 'Segregation indices over small units are inflated even under random allocation; the expected value is shown alongside.',
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
