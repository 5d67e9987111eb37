export * from "./simulator";
export { networkModel } from "./model";
