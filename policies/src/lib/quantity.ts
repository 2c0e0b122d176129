// Kubernetes quantities as plain numbers, for comparing limits with requests: the kit's one parser.
export { parseQuantity as quantity } from "../../../modules/config/quantities";
