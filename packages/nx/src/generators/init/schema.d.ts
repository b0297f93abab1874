export interface InitGeneratorSchema {
  skipFormat?: boolean;
  keepExistingVersions?: boolean;
  updatePackageScripts?: boolean;
}
