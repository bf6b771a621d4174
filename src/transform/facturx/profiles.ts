/**
 * The five Factur-X profiles (Factur-X 1.0.x / ZUGFeRD 2.x): what each one is called in the
 * XMP (fx:ConformanceLevel), the guideline id it writes in BT-24 and how the XML is attached.
 * Profiles are ordered: every element of a lower profile is also in the higher ones.
 */
export type FacturXProfile = 'MINIMUM' | 'BASIC WL' | 'BASIC' | 'EN 16931' | 'EXTENDED';

export const PROFILES: readonly FacturXProfile[] = ['MINIMUM', 'BASIC WL', 'BASIC', 'EN 16931', 'EXTENDED'];

export const DEFAULT_PROFILE: FacturXProfile = 'EN 16931';

export interface ProfileInfo {
  /** rank: MINIMUM 0 … EXTENDED 4 */
  level: number;
  /** BT-24 Specification identifier (GuidelineSpecifiedDocumentContextParameter/ID) */
  guideline: string;
  /** XMP fx:ConformanceLevel */
  conformance: string;
  /** PDF/A-3 /AFRelationship of factur-x.xml: Data for the profiles that are not invoices */
  afRelationship: 'Alternative' | 'Data';
  /** true when the profile carries invoice lines (BG-25) */
  lines: boolean;
}

export const PROFILE_INFO: Record<FacturXProfile, ProfileInfo> = {
  MINIMUM: { level: 0, guideline: 'urn:factur-x.eu:1p0:minimum', conformance: 'MINIMUM', afRelationship: 'Data', lines: false },
  'BASIC WL': { level: 1, guideline: 'urn:factur-x.eu:1p0:basicwl', conformance: 'BASIC WL', afRelationship: 'Data', lines: false },
  BASIC: { level: 2, guideline: 'urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic', conformance: 'BASIC', afRelationship: 'Alternative', lines: true },
  'EN 16931': { level: 3, guideline: 'urn:cen.eu:en16931:2017', conformance: 'EN 16931', afRelationship: 'Alternative', lines: true },
  EXTENDED: { level: 4, guideline: 'urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended', conformance: 'EXTENDED', afRelationship: 'Alternative', lines: true },
};

/** Accepts the XMP spellings and the usual short forms (en16931, basicwl, basic-wl, minimum…). */
export function parseProfile(s: string | undefined): FacturXProfile | undefined {
  if (s === undefined) return undefined;
  const k = s.trim().toUpperCase().replace(/[\s_-]+/g, '');
  const map: Record<string, FacturXProfile> = {
    MINIMUM: 'MINIMUM',
    BASICWL: 'BASIC WL',
    BASIC: 'BASIC',
    EN16931: 'EN 16931',
    COMFORT: 'EN 16931',
    EXTENDED: 'EXTENDED',
  };
  return map[k];
}

/** The embedded file name of the structured invoice (Factur-X 1.0). */
export const FACTURX_XML_NAME = 'factur-x.xml';
export const FACTURX_VERSION = '1.0';
