// asl-validator 4 ships JavaScript only; the part of its API the infra tests use.
declare module 'asl-validator' {
  interface ValidationResult {
    isValid: boolean;
    errors: { 'Error code': string; Message: string }[];
    errorsText(separator?: string): string;
  }
  export default function aslValidator(definition: unknown, options?: { checkPaths: boolean; checkArn: boolean }): ValidationResult;
}
